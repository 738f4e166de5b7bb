/**
 * Measured lock statistics of a recorded tracepoint trace, from its `obs_*` rows (schema.ts), in
 * the locks.csv columns so a recording compares directly with a replay:
 *
 * - `mmap_lock` from `mmap_lock:mmap_lock_start_locking` / `_acquire_returned` / `_released`
 *   (rows `obs_mmap_lock_start` / `_acquired` / `_released`, `addr` = interned mm, `arg` bits
 *   OBS_WRITE and OBS_SUCCESS), type `rwsem:W` or `rwsem:R`:
 *   acquisitions = acquire_returned with success (a trylock has no start_locking and still
 *   counts); wait = start_locking -> acquire_returned of the same task and mm;
 *   hold = acquire_returned -> released of the same task, mm and mode. `mmap_write_downgrade()`
 *   traces a read acquire_returned without start_locking while the task holds the lock for
 *   write: the write hold ends there and a read hold (counted as a read acquisition) begins.
 *   An acquisition is a contention when the task hit `lock:contention_begin` between its
 *   start_locking and acquire_returned, or its wait exceeded CONTENTION_THRESHOLD_NS. As in a
 *   replay, the wait figures are over contended acquisitions only.
 * - every lock seen in `lock:contention_begin` / `contention_end` pairs (rows
 *   `obs_contention_begin` / `_end`, `addr` = interned lock pointer, `arg` of begin = the
 *   kernel's LCB_F_* flags), one row per lock pointer as printed, type from the flags in perf
 *   lock's words: contentions = acquisitions = pairs, wait = begin -> end; hold is not observed.
 *
 * Unpaired events (the recording started or ended inside a section) are counted, not guessed.
 */
import { Histogram } from '../replay/stats/histogram.js';
import type { EventColumnArrays } from '../ingest/batch.js';
import { OBS_SUCCESS, OBS_WRITE, Op } from '../ingest/schema.js';
import { cmp, type AnyLockRow } from './report_data.js';

/** A start_locking -> acquire_returned wait longer than this (ns) counts as a contention. */
export const CONTENTION_THRESHOLD_NS = 1000;

/** LCB_F_* bits of `lock:contention_begin` (include/trace/events/lock.h). */
const LCB_F_SPIN = 1, LCB_F_READ = 2, LCB_F_WRITE = 4, LCB_F_RT = 8, LCB_F_PERCPU = 16, LCB_F_MUTEX = 32;

/** perf lock's name of a contention_begin flags value (tools/perf/builtin-lock.c lock_type_table). */
export function lockTypeOfFlags(flags: number): string {
  const table: [number, string][] = [
    [0, 'semaphore'], [LCB_F_SPIN, 'spinlock'], [LCB_F_SPIN | LCB_F_READ, 'rwlock:R'], [LCB_F_SPIN | LCB_F_WRITE, 'rwlock:W'],
    [LCB_F_READ, 'rwsem:R'], [LCB_F_WRITE, 'rwsem:W'], [LCB_F_RT, 'rt-mutex'], [LCB_F_RT | LCB_F_READ, 'rwlock-rt:R'],
    [LCB_F_RT | LCB_F_WRITE, 'rwlock-rt:W'], [LCB_F_PERCPU | LCB_F_READ, 'pcpu-sem:R'], [LCB_F_PERCPU | LCB_F_WRITE, 'pcpu-sem:W'],
    [LCB_F_MUTEX, 'mutex'], [LCB_F_MUTEX | LCB_F_SPIN, 'mutex'],
  ];
  return table.find(([f]) => f === (flags & 63))?.[1] ?? 'unknown';
}

/** Measured lock rows and the tallies of what could not be paired. */
export interface MeasuredLocks {
  rows: AnyLockRow[];
  counters: Record<string, number>;
}

interface Pending { ts: number; mm: number; write: boolean; contended: boolean }

function newRow(lock: string, type: string): AnyLockRow {
  return { lock, type, acquisitions: 0, contentions: 0, wait: new Histogram(), hold: new Histogram() };
}

/** Measure lock statistics over the first `rows` rows of `c`; `objects` names interned pointers. */
export function measureLocks(c: EventColumnArrays, rows: number, objects: readonly string[] = [], thresholdNs = CONTENTION_THRESHOLD_NS): MeasuredLocks {
  const mmap = { R: newRow('mmap_lock', 'rwsem:R'), W: newRow('mmap_lock', 'rwsem:W') };
  const byLock = new Map<string, AnyLockRow>();
  const starts = new Map<number, Pending>();
  const holds = new Map<number, Pending[]>();
  const contBegin = new Map<number, { ts: number; lock: number; flags: number }>();
  const counters: Record<string, number> = {};
  const count = (k: string) => { counters[k] = (counters[k] ?? 0) + 1; };
  for (let i = 0; i < rows; i++) {
    const op = c.op[i]!;
    if (op < Op.obs_mmap_lock_start || op > Op.obs_contention_end) continue;
    const tid = c.tid[i]!, ts = c.ts[i]!, addr = c.addr[i]!, arg = c.arg[i]!;
    const write = (arg & OBS_WRITE) !== 0;
    if (op === Op.obs_mmap_lock_start) {
      if (starts.has(tid)) count('mmap_lock.start_without_acquire');
      starts.set(tid, { ts, mm: addr, write, contended: false });
    } else if (op === Op.obs_mmap_lock_acquired) {
      const s = starts.get(tid);
      starts.delete(tid);
      if ((arg & OBS_SUCCESS) === 0) { count('mmap_lock.failed_acquisitions'); continue; }
      const row = write ? mmap.W : mmap.R;
      row.acquisitions++;
      const list = holds.get(tid) ?? [];
      const w = write || s !== undefined ? -1 : list.findIndex((h) => h.mm === addr && h.write);
      if (s !== undefined && s.mm === addr && s.write === write) {
        const wait = ts - s.ts;
        if (s.contended || wait > thresholdNs) { row.contentions++; row.wait.record(wait); }
      } else if (w >= 0) {
        // mmap_write_downgrade(): a read acquire_returned with no start_locking while the task
        // holds the lock for write; the write hold ends here and a read hold begins.
        mmap.W.hold.record(ts - list[w]!.ts);
        list.splice(w, 1);
        count('mmap_lock.downgrades');
      } else count('mmap_lock.acquire_without_start');
      list.push({ ts, mm: addr, write, contended: false });
      holds.set(tid, list);
    } else if (op === Op.obs_mmap_lock_released) {
      const list = holds.get(tid);
      let k = list === undefined ? -1 : list.length - 1;
      while (k >= 0 && !(list![k]!.mm === addr && list![k]!.write === write)) k--;
      if (k < 0) { count('mmap_lock.release_without_acquire'); continue; }
      (write ? mmap.W : mmap.R).hold.record(ts - list![k]!.ts);
      list!.splice(k, 1);
    } else if (op === Op.obs_contention_begin) {
      if (contBegin.has(tid)) count('contention.begin_without_end');
      contBegin.set(tid, { ts, lock: addr, flags: arg });
      const s = starts.get(tid);
      if (s !== undefined) s.contended = true;
    } else {
      const b = contBegin.get(tid);
      contBegin.delete(tid);
      if (b === undefined) { count('contention.end_without_begin'); continue; }
      const lock = objects[b.lock] ?? `lock#${b.lock}`;
      const type = lockTypeOfFlags(b.flags);
      const key = `${lock}\u0000${type}`;
      let row = byLock.get(key);
      if (row === undefined) byLock.set(key, (row = newRow(lock, type)));
      row.acquisitions++;
      row.contentions++;
      row.wait.record(ts - b.ts);
    }
  }
  for (const list of holds.values()) for (let k = 0; k < list.length; k++) count('mmap_lock.held_at_end');
  const all = [mmap.R, mmap.W].filter((r) => r.acquisitions > 0 || r.hold.count > 0).concat([...byLock.values()]);
  all.sort((a, b) => cmp(a.lock, b.lock) || cmp(a.type, b.type));
  return { rows: all, counters: Object.fromEntries(Object.entries(counters).sort(([a], [b]) => cmp(a, b))) };
}
