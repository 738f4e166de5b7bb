/**
 * The one interface every text trace reader implements: push chunks of text, end, and find the
 * events in the batch builder, the problems in the issue list and the tallies in the counters.
 * Readers stream: they keep at most a partial line between chunks, never a whole file.
 */
import type { Counters } from '../util/diagnostics.js';
import { InputError, type InputIssue } from '../util/errors.js';

/** Source formats, as written to `source.format`. */
export const SOURCE_FORMATS = ['csv', 'perf', 'ftrace', 'lackey', 'arrow'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** Options a user can give readers from the CLI. */
export interface ReaderOptions {
  /** Process to put threads in when the trace prints only tids and has no mm= pointers. */
  pid?: number;
}

/**
 * Where readers put events. The ingest pipeline's implementation validates across formats
 * (per-thread `ts` never going backwards, a tid bound to one pid, fork children not already in
 * use) and reports problems at `line` of the current file before the row reaches the batch.
 */
export interface EventSink {
  push(ts: number, pid: number, tid: number, op: number, addr: number, len: number, arg: number, line: number): void;
  /**
   * Intern an observed kernel object (an `mm=` or lock pointer, as printed) and return a small
   * id for the `addr` column of `obs_*` rows; the texts go to `observations.objects` metadata.
   */
  internObject(text: string): number;
}

/** What a reader writes to. */
export interface ReaderContext {
  /** File name used in issues (as the user typed it). */
  file: string;
  events: EventSink;
  counters: Counters;
  issues: IssueList;
  options: ReaderOptions;
}

/** A streaming text reader. */
export interface TraceReader {
  readonly format: SourceFormat;
  /** Feed the next chunk of text (any split, including mid-line). */
  push(chunk: string): void;
  /** No more input: flush the last partial line and any pending state. */
  end(): void;
  /** Lines read so far (every line, whatever it held). */
  readonly linesRead: number;
}

/**
 * Longest line (CSV: row) a reader takes, in characters (bytes for ASCII): 1 MiB. A longer one
 * is an error at its line (a file without line breaks, or with line ends not recognised, would
 * otherwise be held whole).
 */
export const MAX_LINE_CHARS = 1 << 20;

/** The error for a line longer than MAX_LINE_CHARS at `line` of `file`, quoting its start. */
export function lineTooLong(file: string, line: number, start: string): InputError {
  return new InputError({ code: 'line-too-long', stage: 'ingest', file, line, text: start.slice(0, 120),
    expected: `a line of at most ${MAX_LINE_CHARS} characters (1 MiB); this one is longer: is the file in this format, with line breaks?` });
}

/** Errors stop ingest after this many, so a wrong-format file gives a short, readable report. */
export const MAX_REPORTED_ERRORS = 20;

/**
 * Collects input errors. Ingest keeps reading past an error (to report several at once) until
 * MAX_REPORTED_ERRORS, then throws; `throwIfAny()` at the end throws an InputError with all.
 */
export class IssueList {
  readonly errors: InputIssue[] = [];
  readonly warnings: InputIssue[] = [];

  error(issue: InputIssue): void {
    this.errors.push(issue);
    if (this.errors.length >= MAX_REPORTED_ERRORS) this.throwIfAny();
  }

  warn(issue: InputIssue): void {
    this.warnings.push(issue);
  }

  throwIfAny(): void {
    if (this.errors.length > 0) throw new InputError(this.errors);
  }
}

/**
 * Splits pushed text into lines with 1-based line numbers; the partial last line is kept for the
 * next chunk. Handles `\n` and `\r\n`.
 */
export class LineSplitter {
  private tail = '';
  /** Number of the last line handed out. */
  line = 0;

  /** `tooLong(lineNo, start)` throws for a line longer than MAX_LINE_CHARS. */
  constructor(
    private readonly onLine: (line: string, lineNo: number) => void,
    private readonly tooLong: (lineNo: number, start: string) => never = (n) => { throw new Error(`line ${n} is too long`); },
  ) {}

  push(chunk: string): void {
    let start = 0;
    if (this.tail.length > 0) {
      // Only the first line of the chunk is joined to the leftover; the rest is sliced in place.
      const nl = chunk.indexOf('\n');
      if (nl < 0) {
        this.tail += chunk;
        if (this.tail.length > MAX_LINE_CHARS) this.tooLong(this.line + 1, this.tail);
        return;
      }
      if (this.tail.length + nl > MAX_LINE_CHARS) this.tooLong(this.line + 1, this.tail);
      const joined = this.tail + chunk.slice(0, nl);
      this.tail = '';
      this.onLine(joined.endsWith('\r') ? joined.slice(0, -1) : joined, ++this.line);
      start = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      if (nl - start > MAX_LINE_CHARS) this.tooLong(this.line + 1, chunk.slice(start, start + 120));
      const end = nl > start && chunk.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.onLine(chunk.slice(start, end), ++this.line);
      start = nl + 1;
    }
    this.tail = chunk.slice(start);
    if (this.tail.length > MAX_LINE_CHARS) this.tooLong(this.line + 1, this.tail);
  }

  end(): void {
    if (this.tail.length > 0) {
      const t = this.tail.endsWith('\r') ? this.tail.slice(0, -1) : this.tail;
      this.tail = '';
      this.onLine(t, ++this.line);
    }
  }
}
