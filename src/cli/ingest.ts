/** `mmreplay ingest`: placeholder until the ingest pipeline lands. */
import type { CommandFactory } from './commands.js';
export const ingestCommand: CommandFactory = () => ({
  command: 'ingest <input..>',
  describe: 'Parse traces (CSV, perf script, ftrace, lackey, Arrow) into one Arrow event table',
  handler: () => undefined,
});
