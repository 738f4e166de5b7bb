/** Run the CLI in-process with captured output streams. */
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/main.js';

/** What a captured run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function capture(): { stream: Writable; text: () => string } {
  const parts: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      parts.push(chunk.toString());
      cb();
    },
  });
  return { stream, text: () => parts.join('') };
}

/** `mmreplay ARGV...` run in `cwd`, as a test would run it from a shell. */
export async function runCaptured(argv: string[], cwd: string): Promise<CliRun> {
  const out = capture();
  const err = capture();
  const code = await runCli(argv, { stdout: out.stream, stderr: err.stream, cwd, env: {} });
  return { code, stdout: out.text(), stderr: err.text() };
}
