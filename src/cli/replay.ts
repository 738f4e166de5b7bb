/**
 * `mmreplay replay TRACE`: ingest (any input), replay under each policy from a fresh machine,
 * write the run directory (docs/design.md section 5) and print the comparison.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { InputFormat } from '../ingest/detect.js';
import { loadEventTable } from '../ingest/load.js';
import { axisPolicies, NEWEST_PRESET, parsePolicy, PRESET_NAMES } from '../replay/policies/presets.js';
import type { Policy } from '../replay/policies/types.js';
import { replayAsync } from '../replay/replay.js';
import { EventsArrowWriter } from '../report/events_arrow.js';
import type { MachineConfig } from '../replay/result.js';
import { replayCounterDefs } from '../replay/stats/replay_stats.js';
import { renderReport } from '../report/terminal.js';
import { DEFAULT_TIMELINE_LIMIT } from '../report/timeline.js';
import { TimelineFile, writeReplayOutputs } from '../report/write.js';
import { InputError, usageError } from '../util/errors.js';
import type { CommandFactory } from './commands.js';
import { fileSource } from './fsinput.js';
import { inputOptions, printWarnings } from './ingest.js';
import { println, showProgress, type CliIO } from './io.js';
import type { ReportData } from '../report/report_data.js';
import { commandLine, toolVersion } from './report.js';

/** Parsed `replay` flags (also built by `demo`). */
export interface ReplayArgs {
  trace: string;
  format: InputFormat;
  pid?: number;
  policy?: string[];
  axis?: string;
  base: string;
  baseline?: string;
  cpus: number;
  'cpu-ghz': number;
  'memory-limit'?: string;
  swap: MachineConfig['swap'];
  disk: MachineConfig['disk'];
  nodes: number;
  hz: number;
  timing: MachineConfig['timing'];
  costs?: string;
  seed: number;
  'auto-vma'?: boolean;
  timeline?: string;
  'timeline-limit': number;
  unit: 'ns' | 'cycles';
  out?: string;
  json: boolean;
  events?: boolean;
}

/** events.arrow is written by default for traces of up to this many rows. */
export const EVENTS_DEFAULT_MAX_ROWS = 1_000_000;

/** Formats whose mappings are unknown: --auto-vma is their default. */
const RECORDED = new Set(['perf', 'ftrace', 'lackey']);

/** Parse `--memory-limit`: bytes with an optional KiB/MiB/GiB (or K/M/G) suffix. */
export function parseSize(text: string): number {
  const m = /^(\d+)\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)$/i.exec(text.trim());
  if (m === null) throw usageError('--memory-limit takes bytes with an optional KiB, MiB or GiB suffix, e.g. 512MiB', text);
  const mult: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };
  const v = Number(m[1]) * mult[m[2]!.toLowerCase()]!;
  if (!Number.isSafeInteger(v) || v <= 0) throw usageError('--memory-limit must be a positive size below 2^53 bytes', text);
  return v;
}

/** The policies of a command line, in the order given (`--policy` then `--axis`). */
export function resolvePolicies(specs: readonly string[], axis: string | undefined, base: string): Policy[] {
  const out = specs.map((s) => parsePolicy(s, base));
  if (axis !== undefined) out.push(...axisPolicies(axis, base));
  if (out.length === 0) out.push(parsePolicy(base, base));
  const seen = new Set<string>();
  return out.filter((p) => (seen.has(p.label) ? false : (seen.add(p.label), true)));
}

function readCosts(path: string, cwd: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (e) {
    throw new InputError({ code: 'no-file', stage: 'costs', file: path, expected: `a readable JSON file (${(e as Error).message})` });
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new InputError({ code: 'bad-json', stage: 'costs', file: path, expected: `a JSON object of cost names to ns (${(e as Error).message}); see 'mmreplay list costs'` });
  }
}

function positiveInt(name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw usageError(`--${name} takes an integer >= ${min}`, String(v));
}

export const replayCommand: CommandFactory = (io) => ({
  command: 'replay <trace>',
  describe: 'Replay a trace through the emulated kernel under one or more policies',
  builder: (y: Argv) =>
    inputOptions(y)
      .positional('trace', { type: 'string', describe: 'Trace: an Arrow table from ingest, or any input ingest reads' })
      .option('policy', { type: 'string', array: true, describe: `Policy: a preset (${PRESET_NAMES.join(', ')}), axis=variant pairs, or preset+overrides (linux-6.8+swapin=skip); repeat to compare` })
      .option('axis', { type: 'string', describe: 'Compare every variant of one axis on --base (see: mmreplay list policies)' })
      .option('base', { type: 'string', default: NEWEST_PRESET, describe: 'Preset that axis=variant pairs and --axis apply to' })
      .option('baseline', { type: 'string', describe: 'Show each figure with its change against this policy label' })
      .option('cpus', { type: 'number', default: 0, describe: 'Emulated CPUs (0: one per thread); fewer than threads means a FIFO run queue' })
      .option('cpu-ghz', { type: 'number', default: 3, describe: 'Clock of the emulated CPUs (cycles per ns)' })
      .option('memory-limit', { type: 'string', describe: 'Resident memory limit (e.g. 256MiB); above it reclaim swaps anon pages out' })
      .option('swap', { choices: ['zram', 'nvme', 'hdd'] as const, default: 'zram' as const, describe: 'Swap device (zram is SWP_SYNCHRONOUS_IO)' })
      .option('disk', { choices: ['nvme', 'hdd'] as const, default: 'nvme' as const, describe: 'Disk behind file-backed mappings' })
      .option('nodes', { type: 'number', default: 2, describe: 'NUMA nodes (CPUs split evenly, in order)' })
      .option('hz', { type: 'number', default: 1000, describe: 'Timer tick rate (a jiffy is 1/HZ s)' })
      .option('timing', { choices: ['trace', 'gap'] as const, default: 'trace' as const, describe: "Row start: 'trace' = max(ts, end of the thread's previous row); 'gap' = previous end + recorded gap (recorded gaps already contain the recording kernel's time, so gap replays slower than the recording)" })
      .option('costs', { type: 'string', describe: "JSON file overriding cost figures in ns by name (see 'mmreplay list costs')" })
      .option('seed', { type: 'number', default: 1, describe: 'Seed of device latencies and interrupt jitter' })
      .option('auto-vma', { type: 'boolean', describe: 'Create an anonymous VMA around accesses outside every VMA (default: on for perf/ftrace/lackey traces)' })
      .option('timeline', { type: 'string', describe: 'Also write the replay as Chrome trace-event JSON (open in ui.perfetto.dev)' })
      .option('timeline-limit', { type: 'number', default: DEFAULT_TIMELINE_LIMIT, describe: 'Maximum timeline events; past it the timeline is cut with a message' })
      .option('unit', { choices: ['ns', 'cycles'] as const, default: 'ns' as const, describe: 'Time unit of outputs' })
      .option('out', { alias: 'o', type: 'string', describe: 'Output directory (default out/<trace name>)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the summary rows as JSON instead of tables' })
      .option('events', { type: 'boolean', describe: `Write events.arrow, one row per replayed event per policy (default: on for traces of up to ${EVENTS_DEFAULT_MAX_ROWS.toLocaleString('en-US')} rows; --no-events to skip)` })
      .example('$0 replay traces/mixed.csv', 'replay under the newest preset, write out/mixed/')
      .example('$0 replay traces/migration-selftest.csv --policy linux-2.6.34-rc --policy linux-6.12 --baseline linux-6.12', 'compare two kernels')
      .example('$0 replay traces/swapin-race.csv --axis swapin -o out/swapin', 'every swapin variant on linux-6.12'),
  handler: async (args) => {
    await runReplay(io, args as unknown as ReplayArgs);
  },
});

/** Run a replay as the command does; returns the run directory and its report data. */
export async function runReplay(io: CliIO, a: ReplayArgs): Promise<{ dir: string; data: ReportData }> {
  positiveInt('nodes', a.nodes);
  positiveInt('cpus', a.cpus, 0);
  positiveInt('hz', a.hz);
  if (!(a['cpu-ghz'] > 0)) throw usageError('--cpu-ghz takes a positive number', String(a['cpu-ghz']));
  if (!Number.isSafeInteger(a.seed) || a.seed < 0) throw usageError('--seed takes a non-negative integer', String(a.seed));
  const policies = resolvePolicies(a.policy ?? [], a.axis, a.base);
  if (a.baseline !== undefined && !policies.some((p) => p.label === a.baseline)) {
    throw usageError(`--baseline must be one of the policies replayed: ${policies.map((p) => p.label).join(', ')}`, a.baseline);
  }
  const costOverrides = a.costs !== undefined ? readCosts(a.costs, io.cwd) : {};
  const table = await loadEventTable([fileSource(String(a.trace), io.cwd, io.stdin)], { format: a.format, pid: a.pid });
  printWarnings(io, table.warnings);
  const format = table.metadata.get('source.format') ?? 'csv';
  const machine: MachineConfig = {
    cpus: a.cpus, nodes: a.nodes, cpuGhz: a['cpu-ghz'], hz: a.hz,
    memoryLimitBytes: a['memory-limit'] !== undefined ? parseSize(a['memory-limit']) : null,
    swap: a.swap, disk: a.disk, timing: a.timing, autoVma: a['auto-vma'] ?? RECORDED.has(format), seed: a.seed,
  };
  const name = basename(String(a.trace)).replace(/(\.gz)?$/, '').replace(/\.[^.]*$/, '');
  const dir = resolve(io.cwd, a.out ?? `out/${name}`);
  if (a.timeline !== undefined) mkdirSync(dirname(resolve(io.cwd, a.timeline)), { recursive: true });
  const timeline = a.timeline !== undefined ? new TimelineFile(resolve(io.cwd, a.timeline), { limit: a['timeline-limit'], cpuGhz: machine.cpuGhz }) : null;
  const progress = showProgress(io);
  let result;
  let events: EventsArrowWriter | null = null;
  try {
    mkdirSync(dir, { recursive: true });
    events = (a.events ?? table.rows <= EVENTS_DEFAULT_MAX_ROWS) ? new EventsArrowWriter(join(dir, 'events.arrow'), policies.map((p) => p.label), a.unit, machine.cpuGhz) : null;
    result = await replayAsync(table.columns, {
      events,
      machine,
      costOverrides,
      policies,
      trace: { path: String(a.trace), sha256: table.metadata.get('source.sha256') ?? '', rows: table.rows },
      timeline: timeline?.recorder ?? null,
      onPolicy: progress ? (i, label) => io.stderr.write(`\rreplaying ${i + 1}/${policies.length}: ${label}\x1b[K`) : undefined,
    });
    await events?.finish();
  } catch (err) {
    await timeline?.abort();
    await events?.abort();
    throw err;
  } finally {
    if (progress) io.stderr.write('\r\x1b[K');
  }
  const cmd = commandLine(['mmreplay', ...(io.argv ?? [])]);
  const counterDefs = replayCounterDefs();
  const { data } = await writeReplayOutputs(result, dir, { unit: a.unit, commandLine: cmd, toolVersion: toolVersion(), counterDefs });
  if (timeline !== null) {
    await timeline.finish();
    if (timeline.recorder.truncated) println(io.stderr, `mmreplay: timeline cut at --timeline-limit ${a['timeline-limit']} events; raise it or replay a shorter trace`);
  }
  if (a.json) println(io.stdout, JSON.stringify(data.tables.summary, null, 2));
  else io.stdout.write(renderReport(data, { unit: a.unit, baseline: a.baseline, columns: Math.min(120, io.stdout.columns ?? 120) }));
  println(io.stderr, `mmreplay: wrote ${dir}/`);
  return { dir, data };
}
