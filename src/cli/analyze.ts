/**
 * `mmreplay analyze TRACE [-o DIR] [--json]`: statistics of the trace itself, without a replay:
 * per-process and per-thread op counts and pages, pages shared between threads, working set over
 * time, hottest pages, and measured lock statistics from recorded `mmap_lock:*` and
 * `lock:contention_*` events. TRACE is any ingestible input (ingested in memory on the fly).
 */
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { InputFormat } from '../ingest/detect.js';
import { loadEventTable } from '../ingest/load.js';
import { analyzeTrace } from '../report/analyze.js';
import { CONTENTION_THRESHOLD_NS } from '../report/analyze_locks.js';
import { analyzeFiles, buildAnalyzeData, renderAnalyzeReport } from '../report/analyze_report.js';
import { usageError } from '../util/errors.js';
import { writeFilesAtomically } from './atomic_file.js';
import { commandLine, inputOptions, printWarnings, reportColumns, toolVersion, type CommandFactory } from './common.js';
import { fileSource } from './fsinput.js';
import { println } from './io.js';

interface AnalyzeArgs {
  trace: string;
  format: InputFormat;
  pid?: number;
  output?: string;
  json: boolean;
  window?: number;
  hot: number;
  contentionThreshold: number;
}

/** The documented ranges of analyze's count flags. */
const HOT_MAX = 1_000_000;

function positiveInt(name: string, v: number | undefined, max: number = Number.MAX_SAFE_INTEGER): void {
  if (v !== undefined && !(Number.isSafeInteger(v) && v > 0 && v <= max)) throw usageError(`${name}: an integer from 1 to ${max}`, String(v));
}

/** The `analyze` command. */
export const analyzeCommand: CommandFactory = (io) => ({
  command: 'analyze <trace>',
  describe: 'Trace statistics without replay: ops, pages, sharing, working set, hot pages; measured lock stats from recorded mmap_lock/lock events',
  builder: (y: Argv) =>
    inputOptions(y)
      .positional('trace', { type: 'string', describe: 'An Arrow table from ingest, or any input ingest reads' })
      .option('output', { alias: 'o', type: 'string', describe: 'Write the CSV files and meta.json into this directory (created)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the analysis as JSON' })
      .option('window', { type: 'number', describe: 'Working-set window in ns (default: about 50 windows over the trace; at most 100000 windows)' })
      .option('hot', { type: 'number', default: 20, describe: 'How many hottest pages to list (1 to 1000000)' })
      .option('contention-threshold', { type: 'number', default: CONTENTION_THRESHOLD_NS, describe: 'A recorded mmap_lock wait above this many ns counts as a contention' })
      .check((a) => {
        positiveInt('--window', a.window as number | undefined);
        positiveInt('--hot', a.hot as number, HOT_MAX);
        positiveInt('--contention-threshold', a.contentionThreshold as number);
        return true;
      })
      .example('$0 analyze traces/kbuild.perf.txt.gz -o out/kbuild', 'measured mmap_lock statistics of a recorded trace')
      .example('$0 analyze run.arrow --json', 'the analysis as JSON'),
  handler: async (args) => {
    const argv = args as unknown as AnalyzeArgs;
    const table = await loadEventTable([fileSource(String(argv.trace), io.cwd, io.stdin)], { format: argv.format, pid: argv.pid });
    printWarnings(io, table.warnings);
    const result = analyzeTrace(table, { windowNs: argv.window, hotPages: argv.hot, contentionThresholdNs: argv.contentionThreshold });
    const words = ['mmreplay', 'analyze', argv.trace];
    if (argv.output !== undefined) words.push('-o', argv.output);
    if (argv.window !== undefined) words.push('--window', String(argv.window));
    const input = table.inputs[0];
    const data = buildAnalyzeData(result, {
      commandLine: commandLine(words), toolVersion: toolVersion(),
      trace: { path: argv.trace, sha256: input?.sha256 ?? '', rows: table.rows },
      ingestCounters: table.counters.toJSON(), contentionThresholdNs: argv.contentionThreshold,
    });
    if (argv.output !== undefined) {
      const paths = writeFilesAtomically(resolve(io.cwd, argv.output), analyzeFiles(data), argv.output);
      if (!argv.json) println(io.stderr, `analyze: wrote ${paths.length} files to ${argv.output}`);
    }
    if (argv.json) println(io.stdout, JSON.stringify(data, null, 2));
    else io.stdout.write(renderAnalyzeReport(data, { columns: reportColumns(io) }));
  },
});
