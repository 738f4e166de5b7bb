/** `mmreplay inspect`: placeholder until the ingest pipeline lands. */
import type { CommandFactory } from './commands.js';
export const inspectCommand: CommandFactory = () => ({
  command: 'inspect <trace>',
  describe: 'Summarise a trace: rows, span, processes, threads, ops, pages, counters',
  handler: () => undefined,
});
