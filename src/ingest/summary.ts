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
  /** Distinct (pid, 4 KiB page) pairs touched by read/write/fetch rows, `len` included (at most 2^20 pages per row). */
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
  let lastPid = NaN;
  let lastTid = NaN;
  let accessPages = 0;
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    if (t < tsMin) tsMin = t;
    if (t > tsMax) tsMax = t;
    const o = op[i]!;
    opCounts[o]!++;
    if (pid[i] !== lastPid) pids.add((lastPid = pid[i]!));
    if (tid[i] !== lastTid) tids.add((lastTid = tid[i]!));
    if (isAccess(o)) accessPages += lastPage(addr[i]!, len[i]!) - firstPage(addr[i]!) + 1;
  }
  const ops: Partial<Record<OpName, number>> = {};
  OPS.forEach((name, code) => { if (opCounts[code]! > 0) ops[name] = opCounts[code]!; });
  const pagesTouched = distinctPages(table, [...pids], accessPages);
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

const firstPage = (addr: number): number => Math.floor(addr / PAGE_SIZE);
/** Pages one access can count at most (4 GiB): a huge `len` must not make inspect loop for hours. */
const MAX_ACCESS_PAGES = 2 ** 20;
const lastPage = (addr: number, len: number): number =>
  Math.min(Math.floor((addr + Math.max(1, len) - 1) / PAGE_SIZE), firstPage(addr) + MAX_ACCESS_PAGES - 1);

/** Pages below 2^41 (addresses below 2^53); a process index above them keeps keys below 2^53. */
const PAGE_KEY_SPAN = 2 ** 41;

/**
 * Distinct (pid, page) pairs touched by accesses: every pair as one exact Float64 key
 * (process index * 2^41 + page), sorted natively, runs counted. Far faster than a Set at 10M rows.
 */
function distinctPages(table: EventTable, pids: number[], total: number): number {
  const { pid, op, addr, len } = table.columns;
  if (pids.length >= 4096) return distinctPagesBySet(table);
  const index = new Map(pids.map((p, i) => [p, i]));
  const keys = new Float64Array(total);
  let k = 0;
  for (let i = 0; i < table.rows; i++) {
    if (!isAccess(op[i]!)) continue;
    const base = index.get(pid[i]!)! * PAGE_KEY_SPAN;
    for (let pg = firstPage(addr[i]!), last = lastPage(addr[i]!, len[i]!); pg <= last; pg++) keys[k++] = base + pg;
  }
  keys.sort();
  let distinct = 0;
  for (let i = 0; i < keys.length; i++) if (i === 0 || keys[i] !== keys[i - 1]) distinct++;
  return distinct;
}

/** The same count with a Set per pid, for traces with thousands of processes. */
function distinctPagesBySet(table: EventTable): number {
  const { pid, op, addr, len } = table.columns;
  const pages = new Map<number, Set<number>>();
  for (let i = 0; i < table.rows; i++) {
    if (!isAccess(op[i]!)) continue;
    let set = pages.get(pid[i]!);
    if (set === undefined) pages.set(pid[i]!, (set = new Set()));
    for (let pg = firstPage(addr[i]!), last = lastPage(addr[i]!, len[i]!); pg <= last; pg++) set.add(pg);
  }
  let n = 0;
  for (const s of pages.values()) n += s.size;
  return n;
}
