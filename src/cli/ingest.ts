/**
 * `mmreplay ingest INPUT... [--format F] [--pid N] -o TRACE.arrow`: parse and validate traces
 * into one event table, written atomically (Arrow IPC, or the contract's CSV for `-o x.csv`).
 * On any input error nothing is left at the output path and the exit code is 2.
 */
import type { Argv } from 'yargs';
import type { InputFormat } from '../ingest/detect.js';
import { ingest } from '../ingest/ingest.js';
import { FORMAT_VERSION, META } from '../ingest/schema.js';
import { writerFor } from '../ingest/writer.js';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, usageError } from '../util/errors.js';
import { AtomicFile } from './atomic_file.js';
import { inputOptions, printWarnings, type CommandFactory } from './common.js';
import { fileSource, outputPath } from './fsinput.js';
import { println } from './io.js';

interface IngestArgs {
  input: string[];
  format: InputFormat;
  pid?: number;
  workers: number;
  output: string;
}

/** The `ingest` command: validate inputs, write one table atomically, exit 2 on bad input. */
export const ingestCommand: CommandFactory = (io) => ({
  command: 'ingest <input..>',
  describe: 'Parse traces (CSV, perf script, ftrace, lackey, Arrow; .gz too) into one Arrow event table',
  builder: (y: Argv) =>
    inputOptions(y)
      .positional('input', { type: 'string', array: true, describe: 'Trace files, concatenated in order (/dev/stdin reads a pipe)' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'Output table: .arrow (Arrow IPC file) or .csv' })
      .example('$0 ingest run.csv -o run.arrow', 'validate a CSV trace and write the Arrow table')
      .example('$0 ingest lackey.out.gz --format lackey --pid 42 -o ls.arrow', 'a gzipped valgrind lackey trace, as pid 42')
      .example('$0 ingest part1.perf part2.perf -o run.csv', 'two perf script files as one trace, written as CSV'),
  handler: async (args) => {
    const argv = args as unknown as IngestArgs;
    if (argv.input.length === 0) throw usageError('at least one input file (to read a pipe, name /dev/stdin)');
    const sources = argv.input.map((p) => fileSource(String(p), io.cwd));
    const out = outputPath(argv.output, io.cwd);
    for (const p of argv.input) {
      if (sameFile(resolve(io.cwd, String(p)), out)) {
        throw new InputError({ code: 'output-is-input', stage: 'cli', file: argv.output, expected: `an output other than the input ${p}: writing it would replace the trace being read` });
      }
    }
    const file = new AtomicFile(out, argv.output);
    const writer = writerFor(out, file, new Map([[META.formatVersion, FORMAT_VERSION]]));
    let result;
    try {
      result = await ingest(sources, { format: argv.format, pid: argv.pid, workers: argv.workers, onBatch: (b) => writer.write(b) });
      await writer.finish(result.metadata);
      file.commit();
    } catch (err) {
      await writer.abort();
      file.discard();
      throw err;
    }
    printWarnings(io, result.warnings);
    const from = result.inputs.map((i) => `${i.name} [${i.format}${i.gzip ? ', gzip' : ''}]`).join(', ');
    println(io.stdout, `ingest: ${result.rows} rows (${result.events} events, ${result.observations} observations) from ${from} -> ${argv.output}`);
    const skipped = Object.entries(result.counters.toJSON()).filter(([k]) => k.startsWith('skipped'));
    if (skipped.length > 0) println(io.stdout, `skipped: ${skipped.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  },
});

/** True when both paths name one existing file (the same path, or links to one inode). */
function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const x = statSync(a), y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}
