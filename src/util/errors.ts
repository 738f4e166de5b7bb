/**
 * Typed errors. `InputError` is a problem the user can act on (bad usage, bad input): the CLI
 * prints its message and exits 2. `InvariantError` is an emulator bug: exit 1 with the
 * entity's recent history. Anything else is unexpected: exit 1.
 */

/** One problem found in user input, located precisely enough to fix it. */
export interface InputIssue {
  /** Stable machine-readable code, e.g. `bad-number`, `unknown-op`. */
  code: string;
  /** Stage that found it: `ingest`, `replay`, `cli` ... */
  stage: string;
  file?: string;
  /** 1-based line (text inputs) or 0-based row (Arrow inputs, see `row`). */
  line?: number;
  row?: number;
  /** The offending text, quoted verbatim in the message. */
  text?: string;
  /** What was expected instead, or how to fix it. */
  expected: string;
}

/** Maximum length of quoted input in a message; longer text is cut with an ellipsis. */
const QUOTE_MAX = 120;

/** Quote user text for a message, cut to a readable length. */
export function quote(text: string): string {
  const t = text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}...` : text;
  return JSON.stringify(t);
}

/** `FILE:LINE: ` style location prefix of an issue (empty when it has none). */
export function issueLocation(issue: InputIssue): string {
  if (issue.file === undefined) return '';
  if (issue.line !== undefined) return `${issue.file}:${issue.line}: `;
  if (issue.row !== undefined) return `${issue.file}: row ${issue.row}: `;
  return `${issue.file}: `;
}

/** One-line human message for an issue: `FILE:LINE: stage: "text": expected`. */
export function formatIssue(issue: InputIssue): string {
  const text = issue.text !== undefined ? `${quote(issue.text)}: ` : '';
  return `${issueLocation(issue)}${issue.stage}: ${text}${issue.expected}`;
}

/** Bad usage or bad input; exit code 2. Carries one or more located issues. */
export class InputError extends Error {
  readonly issues: InputIssue[];
  constructor(issues: InputIssue | InputIssue[]) {
    const list = Array.isArray(issues) ? issues : [issues];
    super(list.map(formatIssue).join('\n'));
    this.name = 'InputError';
    this.issues = list;
  }
}

/** Shorthand for a usage error with no file. */
export function usageError(expected: string, text?: string): InputError {
  return new InputError({ code: 'usage', stage: 'cli', expected, text });
}

/** An emulator invariant failed: a bug in mmreplay. Exit 1 with the entity's history. */
export class InvariantError extends Error {
  readonly entity: string;
  readonly history: string[];
  constructor(message: string, entity: string, history: string[] = []) {
    super(`invariant failed: ${message} (${entity})`);
    this.name = 'InvariantError';
    this.entity = entity;
    this.history = history;
  }
}

/**
 * An output could not be written (a full disk, a read-only filesystem, a directory where a file
 * should go ...). Thrown by the CLI's file writer, after it removed its temporary file; the CLI
 * prints one line naming the path and the errno. `exitCode` is 2 when the user named a place
 * that cannot be written (EROFS, EACCES, EISDIR, ENOENT ...), 1 when the machine failed (ENOSPC,
 * EIO ...).
 */
export class OutputError extends Error {
  readonly path: string;
  readonly code: string;
  readonly exitCode: 1 | 2;
  constructor(path: string, code: string, detail: string, exitCode: 1 | 2) {
    super(`cannot write ${path}: ${code}: ${detail}`);
    this.name = 'OutputError';
    this.path = path;
    this.code = code;
    this.exitCode = exitCode;
  }
}
