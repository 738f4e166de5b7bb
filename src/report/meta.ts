/**
 * `meta.json`: everything about a run that is not a table row (docs/design.md section 5): tool
 * version, command line, trace identity, resolved policies, cost model, seed, machine, the
 * diagnostic counters and findings per policy. `mmreplay report DIR` re-renders from it plus the
 * CSV files, so it carries whatever the terminal and HTML reports need beyond the CSV.
 */
import type { CounterDef, Severity } from '../util/diagnostics.js';
import type { MachineConfig, ReplayResult } from '../replay/result.js';
import { HISTOGRAM_RELATIVE_ERROR } from '../replay/stats/histogram.js';
import type { TimeUnit } from './columns.js';

/** Version of the meta.json layout; bump on an incompatible change. */
export const META_FORMAT_VERSION = 1;

/** One finding as written to meta.json: times in both cycles and ns. */
/** How each kind of finding is titled in reports (the kernel's own words where it has them). */
export const FINDING_TITLE: Readonly<Record<'deadlock' | 'kernel_bug' | 'oom_kill', string>> = { deadlock: 'DEADLOCK', kernel_bug: 'kernel BUG', oom_kill: 'OOM kill' };

export interface MetaFinding {
  policy: string;
  kind: 'deadlock' | 'kernel_bug' | 'oom_kill';
  message: string;
  cycles: number;
  ns: number;
  detail: string[];
}

/** The parsed content of meta.json of a replay run. */
export interface ReportMeta {
  kind: 'replay';
  meta_version: number;
  tool: { name: string; version: string };
  command_line: string;
  trace: { path: string; sha256: string; rows: number };
  /** Unit of every time column of the run's CSV files. */
  unit: TimeUnit;
  policies: { label: string; variants: Record<string, string> }[];
  seed: number;
  machine: MachineConfig;
  costs: Record<string, number>;
  percentiles: { method: string; relative_error: number };
  /** Non-zero diagnostic counters per policy, names sorted. */
  counters: { policy: string; counters: Record<string, number> }[];
  /** Severity and description of counters, where known. */
  counter_defs: Record<string, { severity: Severity; description: string }>;
  findings: MetaFinding[];
  /** Output files of the run, in write order. */
  files: string[];
}

/** Options that describe the run rather than its result. */
export interface MetaOptions {
  unit: TimeUnit;
  commandLine?: string;
  toolVersion?: string;
  /** Definitions of replay counters (severity, description) to carry into reports. */
  counterDefs?: readonly CounterDef[];
  files?: string[];
}

/** Percentile method text shared by meta.json, the HTML report and docs. */
export const PERCENTILE_METHOD =
  'log-linear histogram (64 sub-buckets per power of two); a percentile is the upper bound of its bucket, clamped to the exact min and max';

/** cycles -> integer ns at `cpuGhz` (docs/design.md section 5: ns = cycles / cpuGhz, rounded). */
export function cyclesToNs(cycles: number, cpuGhz: number): number {
  return Math.round(cycles / cpuGhz);
}

/** Non-zero entries of a counter bag, names sorted (never hash or insertion order). */
export function nonZeroSorted(values: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(values).sort()) if (values[k] !== 0) out[k] = values[k]!;
  return out;
}

/** Build meta.json's content for a replay result. */
export function buildMeta(result: ReplayResult, opts: MetaOptions): ReportMeta {
  const ghz = result.machine.cpuGhz;
  const defs: ReportMeta['counter_defs'] = {};
  const used = new Set(result.policies.flatMap((p) => Object.keys(nonZeroSorted(p.counters))));
  for (const d of [...(opts.counterDefs ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (used.has(d.name)) defs[d.name] = { severity: d.severity, description: d.description };
  }
  return {
    kind: 'replay',
    meta_version: META_FORMAT_VERSION,
    tool: { name: 'mmreplay', version: opts.toolVersion ?? 'unknown' },
    command_line: opts.commandLine ?? '',
    trace: { ...result.trace },
    unit: opts.unit,
    policies: result.policies.map((p) => ({ label: p.policy, variants: { ...p.variants } })),
    seed: result.machine.seed,
    machine: { ...result.machine },
    costs: { ...result.costs },
    percentiles: { method: PERCENTILE_METHOD, relative_error: HISTOGRAM_RELATIVE_ERROR },
    counters: result.policies.map((p) => ({ policy: p.policy, counters: nonZeroSorted(p.counters) })),
    counter_defs: defs,
    findings: result.policies.flatMap((p) =>
      p.findings.map((f) => ({
        policy: p.policy, kind: f.kind, message: f.message, cycles: f.cycles, ns: cyclesToNs(f.cycles, ghz),
        detail: [...f.detail],
      })),
    ),
    files: opts.files ?? [],
  };
}
