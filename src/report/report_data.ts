/**
 * A replay result as report rows: one list of rows per output file, keyed by the column tables of
 * columns.ts, times already converted to the run's unit and rounded to integers. Every report
 * (CSV, terminal, HTML, `--json`) is rendered from this, whether it comes from a fresh replay or
 * from a finished run's directory (`mmreplay report DIR`), so both print the same.
 *
 * Row order is fixed: policies in the order given; within a policy, latency rows by op then path,
 * lock rows by lock then type, refcount rows by path, outcome, holder, integrity rows by kind
 * (plain code-unit string order, never hash order).
 */
import type { LockRow, PolicyResult, ReplayResult } from '../replay/result.js';
import type { Histogram } from '../replay/stats/histogram.js';
import {
  FAULT_CDF_COLUMNS, INTEGRITY_COLUMNS, LATENCY_COLUMNS, LOCK_COLUMNS, REFCOUNT_COLUMNS, SUMMARY_COLUMNS,
  type ColumnDef, type OutputFile, type Row, type TimeUnit,
} from './columns.js';
import { buildMeta, type MetaOptions, type ReportMeta } from './meta.js';

/** The rows of every replay output file. */
export interface ReportTables {
  summary: Row[];
  latency: Row[];
  locks: Row[];
  refcount: Row[];
  integrity: Row[];
  fault_cdf: Row[];
}

/** The file name and column table of each replay table, in the order they are written. */
export const REPLAY_FILES: { readonly [K in keyof ReportTables]: { file: OutputFile; columns: readonly ColumnDef[] } } = {
  summary: { file: 'summary.csv', columns: SUMMARY_COLUMNS },
  latency: { file: 'latency.csv', columns: LATENCY_COLUMNS },
  locks: { file: 'locks.csv', columns: LOCK_COLUMNS },
  refcount: { file: 'refcount.csv', columns: REFCOUNT_COLUMNS },
  integrity: { file: 'integrity.csv', columns: INTEGRITY_COLUMNS },
  fault_cdf: { file: 'fault_cdf.csv', columns: FAULT_CDF_COLUMNS },
};

/** Table names in write order. */
export const REPLAY_TABLES = Object.keys(REPLAY_FILES) as (keyof ReportTables)[];

/** A run ready to render: its meta.json content and its tables. */
export interface ReportData {
  meta: ReportMeta;
  tables: ReportTables;
}

/** Quantiles written to fault_cdf.csv: 0, 0.01 .. 1 in steps of 0.01, plus 0.999 and 0.9999. */
export const CDF_QUANTILES: readonly number[] = (() => {
  const qs: number[] = [];
  for (let i = 0; i <= 100; i++) qs.push(i / 100);
  qs.splice(100, 0, 0.999, 0.9999);
  return qs;
})();

/** Compare by code units; deterministic, locale-free. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Converts cycles to the run's unit, rounded to an integer. */
export type TimeConv = (cycles: number) => number;

function timeConv(unit: TimeUnit, cpuGhz: number): TimeConv {
  return unit === 'cycles' ? (c) => Math.round(c) : (c) => Math.round(c / cpuGhz);
}

/** min of a histogram, 0 when it is empty (Histogram.min is Infinity then). */
function hmin(h: Histogram): number {
  return h.count === 0 ? 0 : h.min;
}

function summaryRow(p: PolicyResult, tc: TimeConv): Row {
  const s = p.summary;
  const f = p.faultLatency;
  return {
    policy: p.policy, events: s.events, faults: s.faults, major_faults: s.major_faults,
    makespan_ns: tc(s.makespan_cycles), fault_mean_ns: tc(f.mean()), fault_p50_ns: tc(f.quantile(0.5)),
    fault_p99_ns: tc(f.quantile(0.99)), fault_max_ns: tc(f.max), mmap_lock_wait_ns: tc(s.mmap_lock_wait_cycles),
    vma_lock_wait_ns: tc(s.vma_lock_wait_cycles), migrate_pages: s.migrate_pages, migrate_ok: s.migrate_ok,
    migrate_failed: s.migrate_failed, refcount_failures: s.refcount_failures, cow_copies: s.cow_copies,
    fork_copies: s.fork_copies, swapins: s.swapins, duplicate_swapins: s.duplicate_swapins,
    integrity_violations: s.integrity_violations, stale_migration_entries: s.stale_migration_entries,
    deadlocks: s.deadlocks,
  };
}

function latencyRows(p: PolicyResult, tc: TimeConv): Row[] {
  const rows = [...p.latency].sort((a, b) => cmp(a.op, b.op) || cmp(a.path, b.path));
  return rows.map(({ op, path, hist: h }) => ({
    policy: p.policy, op, path, count: h.count, mean_ns: tc(h.mean()), p50_ns: tc(h.quantile(0.5)),
    p90_ns: tc(h.quantile(0.9)), p99_ns: tc(h.quantile(0.99)), p999_ns: tc(h.quantile(0.999)),
    max_ns: tc(h.max), total_ns: tc(h.sum),
  }));
}

/** A LockRow whose type may be any of perf lock's words (`analyze` sees mutexes, rwlocks ...). */
export type AnyLockRow = Omit<LockRow, 'type'> & { type: string };

/** One locks.csv row from a LockRow (also used by `analyze` for measured locks). */
export function lockRow(policy: string, l: AnyLockRow, tc: TimeConv): Row {
  const w = l.wait;
  const h = l.hold;
  return {
    policy, lock: l.lock, type: l.type, acquisitions: l.acquisitions, contentions: l.contentions,
    wait_total_ns: tc(w.sum), wait_min_ns: tc(hmin(w)), wait_avg_ns: tc(w.mean()), wait_max_ns: tc(w.max),
    wait_p99_ns: tc(w.quantile(0.99)), hold_total_ns: tc(h.sum), hold_min_ns: tc(hmin(h)),
    hold_avg_ns: tc(h.mean()), hold_max_ns: tc(h.max), hold_p99_ns: tc(h.quantile(0.99)),
  };
}

function lockRows(p: PolicyResult, tc: TimeConv): Row[] {
  return [...p.locks].sort((a, b) => cmp(a.lock, b.lock) || cmp(a.type, b.type)).map((l) => lockRow(p.policy, l, tc));
}

function refcountRows(p: PolicyResult): Row[] {
  return [...p.refcount]
    .sort((a, b) => cmp(a.path, b.path) || cmp(a.outcome, b.outcome) || cmp(a.holder, b.holder))
    .map((r) => ({ policy: p.policy, path: r.path, outcome: r.outcome, holder: r.holder, count: r.count }));
}

function integrityRows(p: PolicyResult, tc: TimeConv): Row[] {
  return [...p.integrity].sort((a, b) => cmp(a.kind, b.kind)).map((r) => ({
    policy: p.policy, kind: r.kind, count: r.count, first_tid: r.first_tid, first_addr: r.first_addr,
    first_ts_ns: tc(r.first_cycles),
  }));
}

function cdfRows(p: PolicyResult, tc: TimeConv): Row[] {
  if (p.faultLatency.count === 0) return [];
  return CDF_QUANTILES.map((q) => ({ policy: p.policy, quantile: q, ns: tc(p.faultLatency.quantile(q)) }));
}

/** Turn a replay result into report rows and meta (pure; no I/O). */
export function buildReportData(result: ReplayResult, opts: MetaOptions): ReportData {
  const tc = timeConv(opts.unit, result.machine.cpuGhz);
  const ps = result.policies;
  return {
    meta: buildMeta(result, opts),
    tables: {
      summary: ps.map((p) => summaryRow(p, tc)),
      latency: ps.flatMap((p) => latencyRows(p, tc)),
      locks: ps.flatMap((p) => lockRows(p, tc)),
      refcount: ps.flatMap(refcountRows),
      integrity: ps.flatMap((p) => integrityRows(p, tc)),
      fault_cdf: ps.flatMap((p) => cdfRows(p, tc)),
    },
  };
}

/**
 * The same data in another time unit (`mmreplay report --unit` on a run written in the other
 * one): values are converted with the run's `cpuGhz` and rounded, so ns -> cycles is exact only
 * to the ns.
 */
export function convertUnit(data: ReportData, unit: TimeUnit): ReportData {
  const from = data.meta.unit;
  if (from === unit) return data;
  const ghz = data.meta.machine.cpuGhz;
  const f = unit === 'ns' ? (v: number) => Math.round(v / ghz) : (v: number) => Math.round(v * ghz);
  const tables = {} as ReportTables;
  for (const file of Object.keys(data.tables) as (keyof ReportTables)[]) {
    const keys = REPLAY_FILES[file].columns.filter((c) => c.format === 'time').map((c) => c.key);
    tables[file] = data.tables[file].map((r) => {
      const out: Row = { ...r };
      for (const k of keys) if (typeof out[k] === 'number') out[k] = f(out[k]);
      return out;
    });
  }
  return { meta: { ...data.meta, unit }, tables };
}
