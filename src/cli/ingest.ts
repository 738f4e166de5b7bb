/**
 * `mmreplay ingest INPUT... [--format F] [--pid N] -o TRACE.arrow`: parse and validate traces
 * into one event table, written atomically (Arrow IPC, or the contract's CSV for `-o x.csv`).
 * On any input error nothing is left at the output path and the exit code is 2.
 */
import { availableParallelism } from 'node:os';
import type { Argv } from 'yargs';
import { INPUT_FORMATS, type InputFormat } from '../ingest/detect.js';
import { ingest } from '../ingest/ingest.js';
import { FORMAT_VERSION, META } from '../ingest/schema.js';
import { writerFor } from '../ingest/writer.js';
import { formatIssue, usageError, type InputIssue } from '../util/errors.js';
import type { CommandFactory } from './commands.js';
import { fileSource, outputPath } from './fsinput.js';
import { println, type CliIO } from './io.js';

/** Warnings printed before saying how many more there were. */
const MAX_PRINTED_WARNINGS = 20;

/** Default `--workers`: two parser threads (CSV, perf, ftrace) when there is more than one core. */
export const DEFAULT_WORKERS = availableParallelism() > 1 ? 2 : 0;

/** The `--format`, `--pid` and `--workers` options shared by commands that read traces. */
export function inputOptions<T>(y: Argv<T>) {
  return y
    .option('format', {
      choices: INPUT_FORMATS as InputFormat[], default: 'auto' as InputFormat,
      describe: 'Input format; auto decides from the content (gzip is always detected)',
    })
    .option('pid', {
      type: 'number',
      describe: 'Process id for traces that name none (lackey; perf/ftrace lines without a pid)',
    })
    .option('workers', {
      type: 'number', default: DEFAULT_WORKERS,
      describe: 'Worker threads parsing CSV, perf script and ftrace input (0: parse in the main thread); output is identical either way',
    })
    .check((argv) => {
      const workers = argv.workers as number;
      if (!(Number.isInteger(workers) && workers >= 0 && workers <= 64)) throw usageError('--workers: an integer from 0 to 64', String(workers));
      const pid = argv.pid as number | undefined;
      if (pid !== undefined && !(Number.isInteger(pid) && pid > 0 && pid < 2 ** 31)) throw usageError('--pid: a positive integer below 2^31', String(pid));
      return true;
    });
}

/** Print ingest warnings to stderr, at most MAX_PRINTED_WARNINGS of them. */
export function printWarnings(io: CliIO, warnings: readonly InputIssue[]): void {
  for (const w of warnings.slice(0, MAX_PRINTED_WARNINGS)) println(io.stderr, `mmreplay: warning: ${formatIssue(w)}`);
  if (warnings.length > MAX_PRINTED_WARNINGS) println(io.stderr, `mmreplay: ... and ${warnings.length - MAX_PRINTED_WARNINGS} more warnings`);
}

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
    const writer = writerFor(out, new Map([[META.formatVersion, FORMAT_VERSION]]));
    let result;
    try {
      result = await ingest(sources, { format: argv.format, pid: argv.pid, workers: argv.workers, onBatch: (b) => writer.write(b) });
      await writer.finish(result.metadata);
    } catch (err) {
      await writer.abort();
      throw err;
    }
    printWarnings(io, result.warnings);
    const from = result.inputs.map((i) => `${i.name} [${i.format}${i.gzip ? ', gzip' : ''}]`).join(', ');
    println(io.stdout, `ingest: ${result.rows} rows (${result.events} events, ${result.observations} observations) from ${from} -> ${argv.output}`);
    const skipped = Object.entries(result.counters.toJSON()).filter(([k]) => k.startsWith('skipped'));
    if (skipped.length > 0) println(io.stdout, `skipped: ${skipped.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  },
});
