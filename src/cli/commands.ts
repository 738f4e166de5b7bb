/**
 * The registry of commands. Each command lives in its own file and exports a factory taking the
 * CLI's io and a status object whose `code` it may set (e.g. 1 when a run found errors).
 */
import type { CommandModule } from 'yargs';
import type { CliIO } from './io.js';
import { generateCommand } from './generate.js';
import { ingestCommand } from './ingest.js';
import { inspectCommand } from './inspect.js';
import { replayCommand } from './replay.js';
import { demoCommand } from './demo.js';
import { analyzeCommand } from './analyze.js';
import { reportCommand } from './report.js';
import { listCommand } from './list.js';
import { selftestCommand } from './selftest.js';

/** Exit status a command may set without throwing. */
export interface CommandStatus {
  code: number;
}

/** A command factory. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CommandFactory = (io: CliIO, status: CommandStatus) => CommandModule<any, any>;

/** Every command, in the order `--help` lists them. */
export const COMMANDS: CommandFactory[] = [generateCommand, ingestCommand, inspectCommand, replayCommand, analyzeCommand, reportCommand, selftestCommand, listCommand, demoCommand];
