/**
 * `mmreplay analyze`: statistics of the trace itself, no replay (pure; the CLI loads the table).
 * Per process and per thread: op counts, distinct pages, pages shared between threads of the
 * process; working-set size per time window; the hottest pages; and, for recorded tracepoint
 * traces, measured lock statistics from the `obs_*` rows (analyze_locks.ts).
 *
 * A page is touched by a CPU access (`read`, `write`, `fetch`) covering any byte of it; range
 * ops (mmap, munmap, migrate ...) do not touch pages here. Pages are per process: the same
 * address in two processes is two pages. Loops run over the typed columns by index.
 */
import { usageError } from '../util/errors.js';
import type { EventColumnArrays } from '../ingest/batch.js';
import { isAccess, isReplayable, Op, OPS, PAGE_SHIFT, PAGE_SIZE } from '../ingest/schema.js';
import type { Row } from './columns.js';
import { measureLocks } from './analyze_locks.js';
import { lockRow } from './report_data.js';

/** An event table as `loadEventTable` returns it (only the fields analyze reads). */
export interface AnalyzeInput {
  rows: number;
  columns: EventColumnArrays;
  /** Interned pointer texts of `obs_*` rows. */
  objects?: readonly string[];
}

/** Options of the analysis. */
export interface AnalyzeOptions {
  /** Working-set window in ns; default: a 1-2-5 step giving about `windows` windows over the span. */
  windowNs?: number;
  windows?: number;
  /** How many hottest pages to list (default 20). */
  hotPages?: number;
  /** mmap_lock waits above this are contentions (default CONTENTION_THRESHOLD_NS). */
  contentionThresholdNs?: number;
}

/** Totals of the trace. */
export interface AnalyzeSummary {
  rows: number;
  events: number;
  observations: number;
  processes: number;
  threads: number;
  pages: number;
  shared_pages: number;
  first_ts_ns: number;
  last_ts_ns: number;
  window_ns: number;
}

/** Rows of every analyze output file (column tables in columns.ts), plus counters. */
export interface AnalyzeResult {
  summary: AnalyzeSummary;
  processes: Row[];
  threads: Row[];
  ops: Row[];
  workingSet: Row[];
  hotPages: Row[];
  locks: Row[];
  /** Recorded `migrate:mm_migrate_pages` calls per reason: pages moved and not moved. */
  migrations: { reason: string; calls: number; succeeded: number; failed: number }[];
  counters: Record<string, number>;
}

/** Largest pages one access may touch; longer accesses are cut and counted. */
const MAX_ACCESS_PAGES = 1 << 18;

/** Most working-set windows an analysis makes (`--window` must give at most this many over the trace). */
export const MAX_WINDOWS = 100_000;

/** A 1-2-5 step of ns at least `span / windows`. */
export function niceWindow(spanNs: number, windows: number): number {
  const raw = Math.max(1, Math.ceil(spanNs / windows));
  for (let p = 1; ; p *= 10) for (const m of [1, 2, 5]) if (m * p >= raw) return m * p;
}

interface ThreadStat { pid: number; tid: number; ops: Float64Array; pages: Set<number>; first: number; last: number }

/** Analyze a loaded event table. */
export function analyzeTrace(input: AnalyzeInput, opts: AnalyzeOptions = {}): AnalyzeResult {
  const c = input.columns;
  const n = input.rows;
  let t0 = Infinity, t1 = 0;
  for (let i = 0; i < n; i++) { const ts = c.ts[i]!; if (ts < t0) t0 = ts; if (ts > t1) t1 = ts; }
  if (n === 0) t0 = 0;
  const windowNs = opts.windowNs ?? niceWindow(t1 - t0, opts.windows ?? 50);
  // The working set is a row per window from the first event's to the last's: bound them up front.
  const windowCount = Math.floor((t1 - t0) / windowNs) + 1;
  if (windowCount > MAX_WINDOWS) {
    throw usageError(`--window ${windowNs} ns makes ${windowCount} working-set windows over this trace's ${t1 - t0} ns; at most ${MAX_WINDOWS}: use --window ${Math.ceil((t1 - t0 + 1) / MAX_WINDOWS)} or more`, String(windowNs));
  }
  const counters: Record<string, number> = {};
  // Pages by index: pid, page number, accesses, reads, writes, first ts, first tid or -1 once shared.
  const pageIdx = new Map<number, Map<number, number>>();
  const pPid: number[] = [], pPage: number[] = [], pAcc: number[] = [], pRd: number[] = [], pWr: number[] = [], pFirst: number[] = [], pTid: number[] = [];
  const threads = new Map<number, ThreadStat>();
  const windows = new Map<number, { events: number; pages: Set<number> }>();
  let events = 0, observations = 0;
  for (let i = 0; i < n; i++) {
    const tid = c.tid[i]!, pid = c.pid[i]!, op = c.op[i]!, ts = c.ts[i]!;
    let th = threads.get(tid);
    if (th === undefined) threads.set(tid, (th = { pid, tid, ops: new Float64Array(OPS.length), pages: new Set(), first: ts, last: ts }));
    th.ops[op]!++;
    if (ts < th.first) th.first = ts;
    if (ts > th.last) th.last = ts;
    if (!isReplayable(op)) { observations++; continue; }
    events++;
    const w = Math.floor((ts - t0) / windowNs);
    let win = windows.get(w);
    if (win === undefined) windows.set(w, (win = { events: 0, pages: new Set() }));
    win.events++;
    if (!isAccess(op)) continue;
    let pages = pageIdx.get(pid);
    if (pages === undefined) pageIdx.set(pid, (pages = new Map()));
    const first = Math.floor(c.addr[i]! / PAGE_SIZE);
    let last = Math.floor((c.addr[i]! + Math.max(1, c.len[i]!) - 1) / PAGE_SIZE);
    if (last - first >= MAX_ACCESS_PAGES) { last = first + MAX_ACCESS_PAGES - 1; counters['analyze.long_access_cut'] = (counters['analyze.long_access_cut'] ?? 0) + 1; }
    for (let pg = first; pg <= last; pg++) {
      let k = pages.get(pg);
      if (k === undefined) {
        k = pPid.length;
        pages.set(pg, k);
        pPid.push(pid); pPage.push(pg); pAcc.push(0); pRd.push(0); pWr.push(0); pFirst.push(ts); pTid.push(tid);
      }
      pAcc[k]!++;
      if (op === Op.write) pWr[k]!++; else pRd[k]!++;
      if (ts < pFirst[k]!) pFirst[k] = ts;
      if (pTid[k] !== tid) pTid[k] = -1;
      th.pages.add(k);
      win.pages.add(k);
    }
  }
  const thList = [...threads.values()].sort((a, b) => a.pid - b.pid || a.tid - b.tid);
  const sharedOf = (set: Set<number>) => { let s = 0; for (const k of set) if (pTid[k] === -1) s++; return s; };
  const sum = (th: ThreadStat, lo: number, hi: number) => { let s = 0; for (let o = lo; o <= hi; o++) s += th.ops[o]!; return s; };
  const threadRows: Row[] = thList.map((th) => ({
    pid: th.pid, tid: th.tid, events: sum(th, 0, Op.compute), reads: th.ops[Op.read]!, writes: th.ops[Op.write]!,
    fetches: th.ops[Op.fetch]!, range_ops: sum(th, Op.mmap, Op.dma_read), other_ops: sum(th, Op.fork, Op.compute),
    observations: sum(th, Op.obs_mmap_lock_start, OPS.length - 1), pages: th.pages.size, shared_pages: sharedOf(th.pages),
    first_ts_ns: th.first, last_ts_ns: th.last,
  }));
  const opRows: Row[] = thList.flatMap((th) => OPS.flatMap((name, o) => (th.ops[o]! > 0 ? [{ pid: th.pid, tid: th.tid, op: name, count: th.ops[o]! }] : [])));
  const pids = [...new Set(thList.map((t) => t.pid))].sort((a, b) => a - b);
  const processRows: Row[] = pids.map((pid) => {
    const ts = thList.filter((t) => t.pid === pid);
    const pages = pageIdx.get(pid) ?? new Map<number, number>();
    let shared = 0;
    for (const k of pages.values()) if (pTid[k] === -1) shared++;
    const total = (o: number) => ts.reduce((a, t) => a + t.ops[o]!, 0);
    return {
      pid, threads: ts.length, events: ts.reduce((a, t) => a + sum(t, 0, Op.compute), 0),
      accesses: total(Op.read) + total(Op.write) + total(Op.fetch), pages: pages.size, shared_pages: shared,
      forks: total(Op.fork), migrates: total(Op.migrate) + total(Op.compact),
    };
  });
  const newPages = new Map<number, number>();
  for (let k = 0; k < pFirst.length; k++) { const w = Math.floor((pFirst[k]! - t0) / windowNs); newPages.set(w, (newPages.get(w) ?? 0) + 1); }
  // Every window from the first event's to the last event's, empty ones included (a time series).
  const wKeys = [...windows.keys()];
  const wFirst = wKeys.length === 0 ? 0 : Math.min(...wKeys);
  const wLast = wKeys.length === 0 ? -1 : Math.max(...wKeys);
  const workingSet: Row[] = [];
  for (let w = wFirst; w <= wLast; w++) {
    const win = windows.get(w);
    workingSet.push({
      window_start_ns: t0 + w * windowNs, window_end_ns: t0 + (w + 1) * windowNs, events: win?.events ?? 0,
      pages: win?.pages.size ?? 0, new_pages: newPages.get(w) ?? 0,
    });
  }
  const order = [...pAcc.keys()].sort((a, b) => pAcc[b]! - pAcc[a]! || pPid[a]! - pPid[b]! || pPage[a]! - pPage[b]!);
  const hotPages: Row[] = order.slice(0, opts.hotPages ?? 20).map((k, r) => ({
    rank: r + 1, pid: pPid[k]!, page: pPage[k]! * 2 ** PAGE_SHIFT, accesses: pAcc[k]!, reads: pRd[k]!, writes: pWr[k]!,
    threads: thList.filter((t) => t.pages.has(k)).length,
  }));
  const migrations = new Map<string, { reason: string; calls: number; succeeded: number; failed: number }>();
  for (let i = 0; i < n; i++) {
    if (c.op[i] !== Op.obs_migrate_pages) continue;
    const reason = (input.objects?.[c.addr[i]!] ?? `#${c.addr[i]}`).replace(/^reason=/, '');
    let m = migrations.get(reason);
    if (m === undefined) migrations.set(reason, (m = { reason, calls: 0, succeeded: 0, failed: 0 }));
    m.calls++;
    m.succeeded += c.arg[i]!;
    m.failed += c.len[i]!;
  }
  const measured = measureLocks(c, n, input.objects, opts.contentionThresholdNs);
  Object.assign(counters, measured.counters);
  const totalShared = processRows.reduce((a, r) => a + (r.shared_pages as number), 0);
  return {
    summary: {
      rows: n, events, observations, processes: pids.length, threads: thList.length, pages: pPid.length,
      shared_pages: totalShared, first_ts_ns: t0, last_ts_ns: t1, window_ns: windowNs,
    },
    processes: processRows, threads: threadRows, ops: opRows, workingSet, hotPages,
    locks: measured.rows.map((l) => lockRow('recorded', l, (v) => Math.round(v))),
    migrations: [...migrations.values()].sort((a, b) => (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0)),
    counters: Object.fromEntries(Object.entries(counters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}
