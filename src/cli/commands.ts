/**
 * The registry of commands. Each command lives in its own file and exports a factory taking the
 * CLI's io and a status object whose `code` it may set (e.g. 1 when a run found errors); what
 * commands share is in common.ts, and no command imports another command's file.
 */
import type { CommandFactory } from './common.js';
import { generateCommand } from './generate.js';
import { ingestCommand } from './ingest.js';
import { inspectCommand } from './inspect.js';
import { replayCommand } from './replay.js';
import { demoCommand } from './demo.js';
import { analyzeCommand } from './analyze.js';
import { reportCommand } from './report.js';
import { listCommand } from './list.js';
import { selftestCommand } from './selftest.js';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: CommandFactory[] = [generateCommand, ingestCommand, inspectCommand, replayCommand, analyzeCommand, reportCommand, selftestCommand, listCommand, demoCommand];
