#!/usr/bin/env node
/**
 * mmreplay command-line entry. `runCli` parses argv with yargs, runs one command and returns the
 * exit code: 0 success, 2 bad usage or bad input, 1 anything else (docs/design.md section 6).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { InputError, InvariantError, OutputError } from '../util/errors.js';
import { errnoDescription, errnoExit, removeLiveTemps } from './atomic_file.js';
import { println, type CliIO } from './io.js';
import { COMMANDS } from './commands.js';
import type { CommandStatus } from './common.js';

/** Thrown by yargs' fail handler so usage errors map to exit 2. */
class UsageFailure extends Error {}

/** Build the yargs parser over `argv` for `io`. */
export function buildParser(argv: string[], io: CliIO, status: CommandStatus): Argv {
  let parser = yargs(argv)
    .scriptName('mmreplay')
    .usage('$0 <command> [options]\n\nTrace-driven analyzer and replayer for Linux page-fault and page-migration workloads.')
    .strict()
    .demandCommand(1, 'Name a command; see the list above.')
    .recommendCommands()
    .exitProcess(false)
    .wrap(Math.min(120, io.stdout.columns ?? 100))
    .epilogue('Exit status: 0 success, 2 bad usage or bad input, 1 internal error.\nDocs: README.md, docs/.')
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageFailure(msg ?? 'bad usage');
    })
    .help()
    .alias('h', 'help')
    .version();
  for (const make of COMMANDS) parser = parser.command(make(io, status));
  return parser;
}

/** Run one mmreplay command line; resolves to the process exit code. */
export async function runCli(argv: string[], cliIo: CliIO): Promise<number> {
  const io: CliIO = { ...cliIo, argv };
  const status: CommandStatus = { code: 0 };
  try {
    // A parse callback makes yargs hand over --help / --version text instead of printing it to
    // the real console, so it reaches io.stdout (and in-process tests can capture it).
    let output = '';
    await buildParser(argv, io, status).parseAsync(argv, {}, (_err, _argv, out) => {
      output = out;
    });
    if (output) println(io.stdout, output);
    return status.code;
  } catch (err) {
    return reportError(err, io);
  }
}

/** Print an error the way its kind deserves and return the exit code. */
export function reportError(err: unknown, io: CliIO): number {
  if (err instanceof UsageFailure) {
    println(io.stderr, `mmreplay: ${err.message}\nRun 'mmreplay --help' or 'mmreplay <command> --help'.`);
    return 2;
  }
  if (err instanceof InputError) {
    println(io.stderr, err.message.split('\n').map((l) => `mmreplay: ${l}`).join('\n'));
    return 2;
  }
  if (err instanceof OutputError) {
    println(io.stderr, `mmreplay: ${err.message}`);
    return err.exitCode;
  }
  if (isSystemError(err)) {
    // A filesystem call outside the atomic writer (reading a run directory ...): one line, no stack.
    println(io.stderr, `mmreplay: ${err.path ?? err.syscall}: ${err.code}: ${errnoDescription(err)}`);
    return errnoExit(err.code!);
  }
  if (err instanceof InvariantError) {
    println(io.stderr, `mmreplay: BUG: ${err.message}`);
    if (err.history.length > 0) println(io.stderr, `recent history of ${err.entity}:\n  ${err.history.join('\n  ')}`);
    return 1;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  println(io.stderr, `mmreplay: internal error: ${e.message}`);
  if (io.env.MMREPLAY_DEBUG) println(io.stderr, e.stack ?? '');
  else println(io.stderr, 'mmreplay: set MMREPLAY_DEBUG=1 for the stack trace, and please report it.');
  return 1;
}

/** A Node system error (`ENOSPC`, `EACCES` ... from a syscall). */
function isSystemError(err: unknown): err is NodeJS.ErrnoException & { syscall: string } {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string'
    && /^E[A-Z0-9]+$/.test((err as NodeJS.ErrnoException).code!) && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

/** Exit status after a signal: 128 + its number, as a shell reports it. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** The real process: argv, stdio, exit code. */
async function main(): Promise<void> {
  // Interrupted or killed: remove the temporary files of outputs not yet complete, exit 128+N.
  for (const [sig, code] of Object.entries(SIGNAL_EXIT)) {
    process.once(sig, () => {
      removeLiveTemps();
      process.exit(code);
    });
  }
  process.on('exit', removeLiveTemps);
  // Nothing may escape as a raw Node error: an error outside the command's own handling is
  // reported like any other, and its temporary files go.
  const last = (err: unknown): void => {
    removeLiveTemps();
    process.exitCode = reportError(err, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env });
    process.exit();
  };
  process.on('uncaughtException', last);
  process.on('unhandledRejection', last);
  // `mmreplay ... | head`: a closed pipe ends the output, not the program with a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  const io: CliIO = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd(), env: process.env };
  process.exitCode = await runCli(process.argv.slice(2), io);
}

const invokedDirectly = (() => {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();
if (invokedDirectly) void main();
