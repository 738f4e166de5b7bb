/**
 * The CLI's view of the outside world, injectable so tests run commands in-process and capture
 * what they print. Only `src/cli` touches `process` and `console`.
 */
import type { Writable } from 'node:stream';

export interface CliIO {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  /** Standard input, for `-` as an input file name (absent in tests unless given). */
  stdin?: NodeJS.ReadableStream;
  /** Working directory that relative paths resolve against. */
  cwd: string;
  /** Environment (for CI detection, colours). */
  env: Record<string, string | undefined>;
  /** The words of the command line (set by runCli), recorded in meta.json. */
  argv?: readonly string[];
}

/** Write a line to a stream. */
export function println(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}

/** True when progress may be shown: a TTY and not CI (docs/design.md section 4). */
export function showProgress(io: CliIO): boolean {
  return io.stderr.isTTY === true && !io.env.CI;
}
