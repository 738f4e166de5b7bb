import { describe, expect, it } from 'vitest';
import { allocColumns } from '../../src/ingest/batch.js';
import { loadEventTable } from '../../src/ingest/load.js';
import { OBS_SUCCESS, OBS_WRITE, Op } from '../../src/ingest/schema.js';
import { analyzeTrace, niceWindow } from '../../src/report/analyze.js';
import { lockTypeOfFlags, measureLocks } from '../../src/report/analyze_locks.js';
import { sourceOf } from '../helpers/sources.js';

type R = [ts: number, pid: number, tid: number, op: number, addr: number, len?: number, arg?: number];

/** Typed-array columns from rows, as loadEventTable returns them. */
function table(rows: readonly R[]) {
  const c = allocColumns(rows.length);
  rows.forEach(([ts, pid, tid, op, addr, len = 1, arg = 0], i) => {
    c.ts[i] = ts; c.pid[i] = pid; c.tid[i] = tid; c.op[i] = op; c.addr[i] = addr; c.len[i] = len; c.arg[i] = arg;
  });
  return { rows: rows.length, columns: c };
}

const P = 0x7f0000000000;

describe('analyze: trace statistics', () => {
  const t = table([
    [0, 10, 10, Op.mmap, P, 16384, 0],
    [100, 10, 10, Op.write, P + 8],
    [200, 10, 11, Op.read, P + 16],
    [300, 10, 11, Op.read, P + 0x1ffe, 4], // crosses into the third page
    [400, 10, 10, Op.fetch, P + 0x3000],
    [500, 10, 10, Op.fork, 0, 0, 20],
    [600, 20, 20, Op.write, P + 8],
    [1000, 10, 11, Op.compute, 0, 0, 50],
  ]);
  const a = analyzeTrace(t, { windowNs: 500, hotPages: 3 });

  it('counts ops, pages and pages shared between threads per thread and process', () => {
    expect(a.summary).toMatchObject({ rows: 8, events: 8, observations: 0, processes: 2, threads: 3, pages: 5, shared_pages: 1, window_ns: 500 });
    expect(a.threads).toEqual([
      { pid: 10, tid: 10, events: 4, reads: 0, writes: 1, fetches: 1, range_ops: 1, other_ops: 1, observations: 0, pages: 2, shared_pages: 1, first_ts_ns: 0, last_ts_ns: 500 },
      { pid: 10, tid: 11, events: 3, reads: 2, writes: 0, fetches: 0, range_ops: 0, other_ops: 1, observations: 0, pages: 3, shared_pages: 1, first_ts_ns: 200, last_ts_ns: 1000 },
      { pid: 20, tid: 20, events: 1, reads: 0, writes: 1, fetches: 0, range_ops: 0, other_ops: 0, observations: 0, pages: 1, shared_pages: 0, first_ts_ns: 600, last_ts_ns: 600 },
    ]);
    expect(a.processes).toEqual([
      { pid: 10, threads: 2, events: 7, accesses: 4, pages: 4, shared_pages: 1, forks: 1, migrates: 0 },
      { pid: 20, threads: 1, events: 1, accesses: 1, pages: 1, shared_pages: 0, forks: 0, migrates: 0 },
    ]);
    expect(a.ops).toContainEqual({ pid: 10, tid: 11, op: 'compute', count: 1 });
    expect(a.ops.length).toBe(7);
  });

  it('tracks the working set per window and the hottest pages', () => {
    expect(a.workingSet).toEqual([
      { window_start_ns: 0, window_end_ns: 500, events: 5, pages: 4, new_pages: 4 },
      { window_start_ns: 500, window_end_ns: 1000, events: 2, pages: 1, new_pages: 1 },
      { window_start_ns: 1000, window_end_ns: 1500, events: 1, pages: 0, new_pages: 0 },
    ]);
    expect(a.hotPages).toEqual([
      { rank: 1, pid: 10, page: P, accesses: 2, reads: 1, writes: 1, threads: 2 },
      { rank: 2, pid: 10, page: P + 0x1000, accesses: 1, reads: 1, writes: 0, threads: 1 },
      { rank: 3, pid: 10, page: P + 0x2000, accesses: 1, reads: 1, writes: 0, threads: 1 },
    ]);
    expect(niceWindow(1234, 50)).toBe(50);
    expect(niceWindow(0, 50)).toBe(1);
  });
});

describe('analyze: measured locks from observations', () => {
  const W = OBS_WRITE, S = OBS_SUCCESS;
  const t = table([
    [0, 1, 1, Op.obs_mmap_lock_start, 0, 0, W],
    [100, 1, 1, Op.obs_mmap_lock_acquired, 0, 0, W | S], // uncontended write: wait 100 ns
    [200, 1, 2, Op.obs_mmap_lock_start, 0, 0, 0],
    [5200, 1, 1, Op.obs_mmap_lock_released, 0, 0, W], // write hold 5100
    [5300, 1, 2, Op.obs_mmap_lock_acquired, 0, 0, S], // read waited 5100 > threshold: contended
    [5400, 1, 3, Op.obs_mmap_lock_start, 0, 0, W],
    [5450, 1, 3, Op.obs_contention_begin, 1, 0, 4],
    [5600, 1, 3, Op.obs_contention_end, 1, 0, 0],
    [5700, 1, 3, Op.obs_mmap_lock_acquired, 0, 0, W | S], // 300 ns but saw contention_begin: contended
    [6000, 1, 2, Op.obs_mmap_lock_released, 0, 0, 0], // read hold 700
    [6100, 1, 3, Op.obs_mmap_lock_released, 0, 0, W], // write hold 400
    [6200, 1, 4, Op.obs_mmap_lock_acquired, 0, 0, W | S], // trylock: no start; counts, no wait
    [6300, 1, 5, Op.obs_mmap_lock_start, 0, 0, W],
    [6400, 1, 5, Op.obs_mmap_lock_acquired, 0, 0, W], // failed (killable): not an acquisition
    [6500, 1, 6, Op.obs_mmap_lock_released, 0, 0, 0], // released without acquire: counted
    [6600, 1, 6, Op.obs_contention_begin, 2, 0, 1],
    [6650, 1, 6, Op.obs_contention_end, 2, 0, 0],
  ]);

  it('counts successful acquisitions per mode, contended waits, holds and unpaired events', () => {
    const m = measureLocks(t.columns, t.rows, ['0xffff888100001000', '0xffff888100001068', '0xffff8881000020c0']);
    const [rwsem, spin, mmapR, mmapW] = m.rows;
    expect(m.rows.map((r) => `${r.lock} ${r.type}`)).toEqual(['0xffff888100001068 rwsem:W', '0xffff8881000020c0 spinlock', 'mmap_lock rwsem:R', 'mmap_lock rwsem:W']);
    expect(mmapW).toMatchObject({ acquisitions: 3, contentions: 1 });
    expect([mmapW!.wait.count, mmapW!.wait.sum, mmapW!.hold.count, mmapW!.hold.sum]).toEqual([1, 300, 2, 5500]);
    expect(mmapR).toMatchObject({ acquisitions: 1, contentions: 1 });
    expect([mmapR!.wait.sum, mmapR!.hold.sum]).toEqual([5100, 700]);
    expect(rwsem).toMatchObject({ acquisitions: 1, contentions: 1 });
    expect(rwsem!.wait.sum).toBe(150);
    expect(spin!.wait.sum).toBe(50);
    expect(m.counters).toEqual({
      'mmap_lock.acquire_without_start': 1, 'mmap_lock.failed_acquisitions': 1,
      'mmap_lock.held_at_end': 1, 'mmap_lock.release_without_acquire': 1,
    });
  });

  it('treats a read acquire_returned without start_locking under a write hold as mmap_write_downgrade()', () => {
    const d = table([
      [0, 1, 1, Op.obs_mmap_lock_start, 0, 0, W],
      [10, 1, 1, Op.obs_mmap_lock_acquired, 0, 0, W | S],
      [50, 1, 1, Op.obs_mmap_lock_acquired, 0, 0, S], // downgrade: write hold 40 ends, read hold begins
      [80, 1, 1, Op.obs_mmap_lock_released, 0, 0, 0], // read hold 30
    ]);
    const m = measureLocks(d.columns, d.rows);
    const [r, w] = m.rows;
    expect([r!.acquisitions, r!.hold.count, r!.hold.sum, w!.acquisitions, w!.hold.count, w!.hold.sum]).toEqual([1, 1, 30, 1, 1, 40]);
    expect(m.counters).toEqual({ 'mmap_lock.downgrades': 1 });
  });

  it('names contention types in perf lock\'s words', () => {
    expect([1, 2, 4, 3, 5, 32, 33, 8, 18, 0].map(lockTypeOfFlags)).toEqual(
      ['spinlock', 'rwsem:R', 'rwsem:W', 'rwlock:R', 'rwlock:W', 'mutex', 'mutex', 'rt-mutex', 'pcpu-sem:R', 'semaphore']);
  });

  it('writes them as locks.csv rows of policy "recorded"', () => {
    const a = analyzeTrace({ ...t, objects: ['0xffff888100001000', '0xffff888100001068', '0xffff8881000020c0'] });
    expect(a.locks.find((r) => r.type === 'rwsem:W' && r.lock === 'mmap_lock')).toEqual({
      policy: 'recorded', lock: 'mmap_lock', type: 'rwsem:W', acquisitions: 3, contentions: 1,
      wait_total_ns: 300, wait_min_ns: 300, wait_avg_ns: 300, wait_max_ns: 300, wait_p99_ns: 300,
      hold_total_ns: 5500, hold_min_ns: 400, hold_avg_ns: 2750, hold_max_ns: 5100, hold_p99_ns: 5100,
    });
  });
});

/**
 * A tiny perf script text with mmap_lock and lock tracepoints, in the format `perf script`
 * prints them (no recorded trace was in traces/ when this was written).
 */
const PERF_TEXT = `${[
  'mtwork  1000/1001  [000] 100.000001: mmap_lock:mmap_lock_start_locking: mm=0xffff888100001000 memcg_id=1 write=true',
  'mtwork  1000/1001  [000] 100.000002: mmap_lock:mmap_lock_acquire_returned: mm=0xffff888100001000 memcg_id=1 write=true success=true',
  'mtwork  1000/1002  [001] 100.000003: mmap_lock:mmap_lock_start_locking: mm=0xffff888100001000 memcg_id=1 write=false',
  'mtwork  1000/1002  [001] 100.000004: lock:contention_begin: 0xffff888100001068 (flags=READ)',
  'mtwork  1000/1001  [000] 100.000010: mmap_lock:mmap_lock_released: mm=0xffff888100001000 memcg_id=1 write=true',
  'mtwork  1000/1002  [001] 100.000011: lock:contention_end: 0xffff888100001068 (ret=0)',
  'mtwork  1000/1002  [001] 100.000012: mmap_lock:mmap_lock_acquire_returned: mm=0xffff888100001000 memcg_id=1 write=false success=true',
  'mtwork  1000/1002  [001] 100.000013: exceptions:page_fault_user: address=0x7f0000001000 ip=0x401000 error_code=0x6',
  'mtwork  1000/1002  [001] 100.000020: mmap_lock:mmap_lock_released: mm=0xffff888100001000 memcg_id=1 write=false',
  'mtwork  1000/1001  [000] 100.000030: mmap_lock:mmap_lock_start_locking: mm=0xffff888100001000 memcg_id=1 write=true',
  'mtwork  1000/1001  [000] 100.000031: mmap_lock:mmap_lock_acquire_returned: mm=0xffff888100001000 memcg_id=1 write=true success=false',
  'mtwork  1000/1001  [000] 100.000040: mmap_lock:mmap_lock_acquire_returned: mm=0xffff888100001000 memcg_id=1 write=true success=true',
  'mtwork  1000/1001  [000] 100.000045: mmap_lock:mmap_lock_released: mm=0xffff888100001000 memcg_id=1 write=true',
].join('\n')}\n`;

describe('analyze on a perf script tracepoint trace', () => {
  it('reports as many mmap_lock write acquisitions as acquire_returned write=true success=true events', async () => {
    const loaded = await loadEventTable([sourceOf('tiny.perf.txt', PERF_TEXT)]);
    const a = analyzeTrace(loaded);
    const expected = PERF_TEXT.split('\n').filter((l) => /mmap_lock_acquire_returned:.*write=true success=true/.test(l)).length;
    expect(expected).toBe(2);
    const w = a.locks.find((r) => r.lock === 'mmap_lock' && r.type === 'rwsem:W')!;
    expect(w.acquisitions).toBe(expected);
    expect(w.hold_total_ns).toBe(8000 + 5000);
    const r = a.locks.find((x) => x.lock === 'mmap_lock' && x.type === 'rwsem:R')!;
    expect(r).toMatchObject({ acquisitions: 1, contentions: 1, wait_total_ns: 9000, hold_total_ns: 8000 });
    expect(a.locks.find((x) => x.lock === '0xffff888100001068')).toMatchObject({ type: 'rwsem:R', contentions: 1, wait_total_ns: 7000 });
    expect(a.summary).toMatchObject({ events: 1, observations: 12, pages: 1 });
  });
});
