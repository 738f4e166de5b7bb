/**
 * What the commands share (each command file imports this, never another command's file):
 * the command types, the input options and warning printer of the commands that read traces,
 * the run metadata helpers (tool version, command line), the replay run that `replay` and
 * `demo` both make, and the `list` topic type.
 */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv, CommandModule } from 'yargs';
import { INPUT_FORMATS, type InputFormat } from '../ingest/detect.js';
import { loadEventTable } from '../ingest/load.js';
import { axisPolicies, parsePolicy } from '../replay/policies/presets.js';
import type { Policy } from '../replay/policies/types.js';
import { resolveCostsNs } from '../replay/costs.js';
import { replayAsync } from '../replay/replay.js';
import type { MachineConfig } from '../replay/result.js';
import { replayCounterDefs } from '../replay/stats/replay_stats.js';
import { EventsArrowWriter } from '../report/events_arrow.js';
import type { ReportData } from '../report/report_data.js';
import { renderReport } from '../report/terminal.js';
import { ChromeTraceRecorder } from '../report/timeline.js';
import { replayOutputFiles } from '../report/write.js';
import { formatIssue, InputError, usageError, type InputIssue } from '../util/errors.js';
import { makeOutputDir, OutputGroup, removeMadeDir } from './atomic_file.js';
import { fileSource } from './fsinput.js';
import { println, showProgress, type CliIO } from './io.js';

/** Exit status a command may set without throwing. */
export interface CommandStatus {
  code: number;
}

/** A command factory. */
export type CommandFactory = (io: CliIO, status: CommandStatus) => CommandModule<object, object>;

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

/** The version in mmreplay's package.json (found upward from this module, in src or dist). */
export function toolVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    const p = join(dir, 'package.json');
    if (!existsSync(p)) continue;
    const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'mmreplay') return pkg.version ?? 'unknown';
  }
  return 'unknown';
}

/** A command line for meta.json: words quoted for a POSIX shell where needed. */
export function commandLine(words: readonly string[]): string {
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Terminal width reports fit: the TTY's, else 120. */
export function reportColumns(io: CliIO): number {
  return io.stdout.isTTY === true && io.stdout.columns !== undefined ? io.stdout.columns : 120;
}

/** One topic of `mmreplay list`. */
export interface ListTopic {
  /** One line for `--help`. */
  describe: string;
  /** Print the human-readable listing. */
  text(io: CliIO): void;
  /** The machine-readable listing (printed as JSON). */
  json(): unknown;
}

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
  const { min, max } = REPLAY_LIMITS['memory-limit'];
  if (!Number.isSafeInteger(v) || v < min || v > max) throw usageError(`--memory-limit takes a size from ${min} bytes (4KiB, one page) to ${max} bytes`, text);
  return v;
}

/** The policies of a command line, in the order given (`--policy` then `--axis`). */
export function resolvePolicies(specs: readonly string[], axis: string | undefined, base: string): Policy[] {
  for (const s of specs) {
    // `linux-6.8+` and `linux-6.8,,swapin=skip` name nothing in their empty part: a typo, not a policy
    if (String(s).split(/[+,]/).some((part) => part.trim().length === 0)) {
      throw usageError('--policy: a preset, axis=variant pairs, or a preset plus overrides joined by + or , (no empty part)', String(s));
    }
  }
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

/**
 * The documented range of each replay size and count flag (README "Errors and exit codes",
 * `--help`): values outside it are usage errors, checked before anything is read.
 */
export const REPLAY_LIMITS = {
  cpus: { min: 0, max: 4096 },
  nodes: { min: 1, max: 64 },
  hz: { min: 10, max: 10_000 },
  'cpu-ghz': { min: 0.1, max: 100 },
  'timeline-limit': { min: 1, max: 100_000_000 },
  'memory-limit': { min: 4096, max: 2 ** 53 - 1 },
} as const;

/** `--flag` must be an integer (or, `real`, a number) in its range; else exit 2 naming flag, value and range. */
export function inRange(flag: string, v: number, range: { min: number; max: number }, real = false): void {
  if (!(real ? Number.isFinite(v) : Number.isSafeInteger(v)) || v < range.min || v > range.max) {
    throw usageError(`--${flag} takes ${real ? 'a number' : 'an integer'} from ${range.min} to ${range.max}`, String(v));
  }
}

/** Run a replay as the command does; returns the run directory and its report data. */
export async function runReplay(io: CliIO, a: ReplayArgs): Promise<{ dir: string; data: ReportData }> {
  inRange('nodes', a.nodes, REPLAY_LIMITS.nodes);
  inRange('cpus', a.cpus, REPLAY_LIMITS.cpus);
  inRange('hz', a.hz, REPLAY_LIMITS.hz);
  inRange('cpu-ghz', a['cpu-ghz'], REPLAY_LIMITS['cpu-ghz'], true);
  inRange('timeline-limit', a['timeline-limit'], REPLAY_LIMITS['timeline-limit']);
  const memoryLimitBytes = a['memory-limit'] !== undefined ? parseSize(a['memory-limit']) : null;
  if (!Number.isSafeInteger(a.seed) || a.seed < 0) throw usageError('--seed takes a non-negative integer', String(a.seed));
  const policies = resolvePolicies(a.policy ?? [], a.axis, a.base);
  if (a.baseline !== undefined && !policies.some((p) => p.label === a.baseline)) {
    throw usageError(`--baseline must be one of the policies replayed: ${policies.map((p) => p.label).join(', ')}`, a.baseline);
  }
  const costOverrides = a.costs !== undefined ? readCosts(a.costs, io.cwd) : {};
  if (a.costs !== undefined) resolveCostsNs(costOverrides, a.costs); // every value in its range, before the trace is read
  const table = await loadEventTable([fileSource(String(a.trace), io.cwd, io.stdin)], { format: a.format, pid: a.pid });
  printWarnings(io, table.warnings);
  const format = table.metadata.get('source.format') ?? 'csv';
  const machine: MachineConfig = {
    cpus: a.cpus, nodes: a.nodes, cpuGhz: a['cpu-ghz'], hz: a.hz,
    memoryLimitBytes,
    swap: a.swap, disk: a.disk, timing: a.timing, autoVma: a['auto-vma'] ?? RECORDED.has(format), seed: a.seed,
  };
  const name = basename(String(a.trace)).replace(/(\.gz)?$/, '').replace(/\.[^.]*$/, '');
  const shown = a.out ?? `out/${name}`;
  const dir = resolve(io.cwd, shown);
  const timelinePath = a.timeline !== undefined ? resolve(io.cwd, a.timeline) : undefined;
  if (timelinePath !== undefined && isDirectory(timelinePath)) {
    throw new InputError({ code: 'output-is-dir', stage: 'cli', file: a.timeline, expected: '--timeline: an output file name, not a directory' });
  }
  const made = makeOutputDir(dir, shown);
  let madeForTimeline: string | undefined;
  try {
    if (timelinePath !== undefined) madeForTimeline = makeOutputDir(dirname(timelinePath), dirname(a.timeline!));
  } catch (err) {
    removeMadeDir(made, dir);
    throw err;
  }
  const progress = showProgress(io);
  const wantEvents = a.events ?? table.rows <= EVENTS_DEFAULT_MAX_ROWS;
  // events.arrow, the timeline, the CSV files and meta.json land together, meta.json last.
  const group = new OutputGroup();
  let events: EventsArrowWriter | null = null;
  let timeline: ChromeTraceRecorder | null = null;
  let data: ReportData;
  try {
    if (wantEvents) events = new EventsArrowWriter(group.open(join(dir, 'events.arrow'), join(shown, 'events.arrow')), policies.map((p) => p.label), a.unit, machine.cpuGhz);
    if (timelinePath !== undefined) timeline = new ChromeTraceRecorder(group.open(timelinePath, a.timeline), { limit: a['timeline-limit'], cpuGhz: machine.cpuGhz });
    let result;
    try {
      result = await replayAsync(table.columns, {
        events,
        machine,
        costOverrides,
        policies,
        trace: { path: String(a.trace), sha256: table.metadata.get('source.sha256') ?? '', rows: table.rows },
        timeline,
        onPolicy: progress ? (i, label) => io.stderr.write(`\rreplaying ${i + 1}/${policies.length}: ${label}\x1b[K`) : undefined,
      });
    } catch (err) {
      // The replay library names rows, not files: say which input they are rows of.
      throw err instanceof InputError ? inFile(err, String(a.trace)) : err;
    } finally {
      if (progress) io.stderr.write('\r\x1b[K');
    }
    await events?.finish();
    await timeline?.finish();
    const cmd = commandLine(['mmreplay', ...(io.argv ?? [])]);
    const out = replayOutputFiles(result, { unit: a.unit, commandLine: cmd, toolVersion: toolVersion(), counterDefs: replayCounterDefs() });
    data = out.data;
    for (const f of out.files) group.add(join(dir, f.name), f.text, join(shown, f.name));
    // Outputs of an earlier run into this directory that this run does not replace describe that run.
    for (const stale of [...(wantEvents ? [] : ['events.arrow']), 'report.html']) rmSync(join(dir, stale), { force: true });
    group.commit();
  } catch (err) {
    await events?.abort();
    group.discard();
    removeMadeDir(made, dir);
    if (timelinePath !== undefined) removeMadeDir(madeForTimeline, dirname(timelinePath));
    throw err;
  }
  if (timeline?.truncated) println(io.stderr, `mmreplay: timeline cut at --timeline-limit ${a['timeline-limit']} events; raise it or replay a shorter trace`);
  if (a.json) println(io.stdout, JSON.stringify(data.tables.summary, null, 2));
  else io.stdout.write(renderReport(data, { unit: a.unit, baseline: a.baseline, columns: Math.min(120, io.stdout.columns ?? 120) }));
  println(io.stderr, `mmreplay: wrote ${dir}/`);
  return { dir, data };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The same input error, its issues located in `file` where they name none. */
function inFile(err: InputError, file: string): InputError {
  return new InputError(err.issues.map((i) => (i.file === undefined ? { ...i, file } : i)));
}
