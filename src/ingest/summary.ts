/**
 * `summarizeTrace`: what `mmreplay inspect` shows about an event table, as plain data: rows,
 * time span, processes, threads, the op histogram, distinct 4 KiB pages touched by accesses, and
 * the ingest counters. One columnar pass over the typed arrays.
 */
import type { EventTable } from './load.js';
import { META, OPS, PAGE_SIZE, isAccess, type OpName } from './schema.js';

/** The summary of one trace; serialised as is by `inspect --json`. */
export interface TraceSummary {
  rows: number;
  /** Replayable events and `obs_*` observation rows. */
  events: number;
  observations: number;
  /** Smallest and largest ts (ns); both 0 for an empty trace. */
  tsMin: number;
  tsMax: number;
  spanNs: number;
  /** Distinct pids, ascending. */
  pids: number[];
  threads: number;
  /** Rows per op name, in op-code order, ops with no rows left out. */
  ops: Partial<Record<OpName, number>>;
  /** Distinct (pid, 4 KiB page) pairs touched by read/write/fetch rows, `len` included. */
  pagesTouched: number;
  /** `source.*` metadata of this load. */
  source: { format: string; path: string; sha256: string };
  /** This load's ingest counters (non-zero only). */
  counters: Record<string, number>;
  /** Counters recorded in an Arrow input by the ingest that wrote it (single Arrow input only). */
  recordedCounters?: Record<string, number>;
}

/** Summarise a loaded event table. */
export function summarizeTrace(table: EventTable): TraceSummary {
  const { ts, pid, tid, op, addr, len } = table.columns;
  const n = table.rows;
  let tsMin = n > 0 ? Infinity : 0;
  let tsMax = 0;
  const opCounts = new Float64Array(OPS.length);
  const pids = new Set<number>();
  const tids = new Set<number>();
  const pages = new Map<number, Set<number>>();
  let lastPid = NaN;
  let lastTid = NaN;
  let pageSet: Set<number> | undefined;
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    if (t < tsMin) tsMin = t;
    if (t > tsMax) tsMax = t;
    const o = op[i]!;
    opCounts[o]!++;
    const p = pid[i]!;
    if (p !== lastPid) {
      pids.add(p);
      lastPid = p;
      pageSet = pages.get(p);
      if (pageSet === undefined) pages.set(p, (pageSet = new Set()));
    }
    if (tid[i] !== lastTid) tids.add((lastTid = tid[i]!));
    if (isAccess(o)) {
      const first = Math.floor(addr[i]! / PAGE_SIZE);
      const last = Math.floor((addr[i]! + Math.max(1, len[i]!) - 1) / PAGE_SIZE);
      for (let pg = first; pg <= last; pg++) pageSet!.add(pg);
    }
  }
  const ops: Partial<Record<OpName, number>> = {};
  OPS.forEach((name, code) => { if (opCounts[code]! > 0) ops[name] = opCounts[code]!; });
  let pagesTouched = 0;
  for (const s of pages.values()) pagesTouched += s.size;
  const summary: TraceSummary = {
    rows: n, events: table.counters.get('events_written'), observations: table.counters.get('observations_written'),
    tsMin, tsMax, spanNs: tsMax - tsMin, pids: [...pids].sort((a, b) => a - b), threads: tids.size, ops, pagesTouched,
    source: {
      format: table.metadata.get(META.sourceFormat) ?? '',
      path: table.metadata.get(META.sourcePath) ?? '',
      sha256: table.metadata.get(META.sourceSha256) ?? '',
    },
    counters: table.counters.toJSON(),
  };
  const recorded = table.inputs.length === 1 ? table.inputs[0]!.metadata.get(META.counters) : undefined;
  if (recorded !== undefined) {
    try {
      summary.recordedCounters = JSON.parse(recorded) as Record<string, number>;
    } catch { /* not ours to judge: shown only when readable */ }
  }
  return summary;
}
