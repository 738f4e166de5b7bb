/**
 * `mmreplay inspect TRACE [--json]`: rows, time span, processes, threads, op histogram, distinct
 * 4 KiB pages touched by accesses, and counters. TRACE may be any ingestible input: it is
 * ingested in memory with the same validation as `mmreplay ingest`.
 */
import Table from 'cli-table3';
import type { Argv } from 'yargs';
import type { InputFormat } from '../ingest/detect.js';
import { loadEventTable } from '../ingest/load.js';
import { summarizeTrace, type TraceSummary } from '../ingest/summary.js';
import { INGEST_COUNTERS } from '../util/diagnostics.js';
import { inputOptions, printWarnings, type CommandFactory } from './common.js';
import { fileSource } from './fsinput.js';
import { println, type CliIO } from './io.js';

interface InspectArgs {
  trace: string;
  format: InputFormat;
  pid?: number;
  workers: number;
  json: boolean;
}

/** Pids listed by name before the list is cut. */
const MAX_LISTED_PIDS = 16;

/** The `inspect` command: load any trace in memory and print its summary (or `--json`). */
export const inspectCommand: CommandFactory = (io) => ({
  command: 'inspect <trace>',
  describe: 'Summarise a trace: rows, span, processes, threads, ops, pages, counters',
  builder: (y: Argv) =>
    inputOptions(y)
      .positional('trace', { type: 'string', describe: 'An Arrow table from ingest, or any input ingest reads' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the summary as JSON' })
      .example('$0 inspect run.arrow', 'summarise an ingested trace')
      .example('$0 inspect lackey.out.gz --json', 'ingest a lackey trace in memory and print its summary as JSON'),
  handler: async (args) => {
    const argv = args as unknown as InspectArgs;
    const table = await loadEventTable([fileSource(String(argv.trace), io.cwd)], { format: argv.format, pid: argv.pid, workers: argv.workers });
    printWarnings(io, table.warnings);
    const summary = summarizeTrace(table);
    if (argv.json) println(io.stdout, JSON.stringify(summary, null, 2));
    else printSummary(io, summary);
  },
});

const num = (n: number): string => n.toLocaleString('en-US');
/** Compact tables: no rule between rows. */
const STYLE = { style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } };

/** The terminal form of a summary. */
export function printSummary(io: CliIO, s: TraceSummary): void {
  const pids = s.pids.length > MAX_LISTED_PIDS ? `${s.pids.slice(0, MAX_LISTED_PIDS).join(' ')} ...` : s.pids.join(' ');
  const facts = new Table({ ...STYLE });
  facts.push(
    { trace: `${s.source.path} (${s.source.format}, sha256 ${s.source.sha256.slice(0, 16)}...)` },
    { rows: `${num(s.rows)} (${num(s.events)} events, ${num(s.observations)} observations)` },
    { 'time span': `${num(s.tsMin)} .. ${num(s.tsMax)} ns (${num(s.spanNs)} ns)` },
    { processes: `${num(s.pids.length)}: ${pids}` },
    { threads: num(s.threads) },
    { pages: `${num(s.pagesTouched)} distinct 4 KiB pages touched by accesses` },
  );
  println(io.stdout, facts.toString());
  const ops = new Table({ head: ['op', 'rows', 'share'], colAligns: ['left', 'right', 'right'], ...STYLE });
  for (const [op, n] of Object.entries(s.ops)) ops.push([op, num(n), `${((100 * n) / Math.max(1, s.rows)).toFixed(1)}%`]);
  println(io.stdout, ops.toString());
  printCounters(io, 'counters (this load)', s.counters);
  if (s.recordedCounters !== undefined) printCounters(io, 'counters recorded by the ingest that wrote it', s.recordedCounters);
}

function printCounters(io: CliIO, title: string, counters: Record<string, number>): void {
  const t = new Table({ head: [title, 'value', 'severity'], colAligns: ['left', 'right', 'left'], ...STYLE });
  for (const [name, v] of Object.entries(counters)) {
    const def = INGEST_COUNTERS.find((d) => d.name === name || name.startsWith(`${d.name.replace(/^skipped_/, 'skipped.')}.`));
    t.push([name, num(v), def?.severity ?? 'info']);
  }
  println(io.stdout, t.toString());
}
