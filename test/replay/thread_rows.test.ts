import { describe, expect, it } from 'vitest';
import { Op } from '../../src/ingest/schema.js';
import type { EventColumnArrays } from '../../src/ingest/batch.js';
import { BLOCK_ROWS, RowBlocks, SCAN_MAX_THREADS, planThreads, type ThreadRows } from '../../src/replay/thread_rows.js';

/** A table whose row r belongs to thread `tidOf(r)` (pid 1, reads). */
function table(n: number, tidOf: (r: number) => number): EventColumnArrays {
  const tid = Int32Array.from({ length: n }, (_, r) => tidOf(r));
  return {
    ts: new Float64Array(n), pid: new Int32Array(n).fill(1), tid, op: new Int8Array(n).fill(Op.read),
    addr: new Float64Array(n), len: new Float64Array(n).fill(1), arg: new Float64Array(n),
  };
}

function drain(c: ThreadRows): number[] {
  const out: number[] = [];
  for (let r = c.next(); r >= 0; r = c.next()) out.push(r);
  return out;
}

/** What every cursor must return: the rows with its tid, in file order. */
function expected(cols: EventColumnArrays, tid: number): number[] {
  return [...cols.tid.keys()].filter((r) => cols.tid[r] === tid);
}

describe('per-thread row cursors', () => {
  const n = 3 * BLOCK_ROWS + 123;

  // Few threads: each cursor scans the blocks; many: blocks are grouped by thread and shared.
  it.each([5, SCAN_MAX_THREADS + 4])('give each of %i interleaved threads its rows in file order, across block boundaries', (threads) => {
    // Irregular interleaving: runs of one tid of varying length; thread 10+threads-1 is absent
    // from block 0.
    const cols = table(n, (r) => (r < BLOCK_ROWS ? 10 + ((r >> 3) % (threads - 1)) : 10 + ((r * 7) % threads)));
    const plan = planThreads(cols);
    expect(plan.threads.map((t) => t.tid)).toEqual(Array.from({ length: threads }, (_, i) => 10 + i));
    expect(plan.threads[threads - 1]!.blocks).toEqual(Int32Array.from([1, 2, 3]));
    expect([...plan.blockThreads]).toEqual([threads - 1, threads, threads, threads]);
    const blocks = new RowBlocks(cols, plan);
    const cursors = plan.threads.map((t) => blocks.cursor(t));
    // Advance all cursors together, as the replay's threads do.
    const got: number[][] = plan.threads.map(() => []);
    let live = cursors.length;
    while (live > 0) {
      live = 0;
      cursors.forEach((c, i) => {
        const r = c.next();
        if (r >= 0) {
          got[i]!.push(r);
          live++;
        }
      });
      expect(blocks.aliveCount).toBeLessThanOrEqual(plan.threads.length);
    }
    plan.threads.forEach((t, i) => expect(got[i]).toEqual(expected(cols, t.tid)));
    expect(plan.threads.reduce((a, t) => a + t.rowCount, 0)).toBe(n);
    expect(blocks.aliveCount).toBe(0);
    // Blocks of few threads are scanned, never grouped; the others are grouped (at least once
    // each; again when every thread in one left it before another thread entered).
    if (threads <= SCAN_MAX_THREADS) expect(blocks.sorted).toBe(0);
    else expect(blocks.sorted).toBeGreaterThanOrEqual(4);
  });

  it('keep at most one grouped block per thread alive when a trace is written thread by thread', () => {
    // 1000 rows per thread: about 16 threads per block, so blocks are grouped.
    const per = 1000;
    const threads = Math.ceil(n / per);
    const cols = table(n, (r) => 100 + Math.floor(r / per));
    const plan = planThreads(cols);
    const blocks = new RowBlocks(cols, plan);
    const cursors = plan.threads.map((t) => blocks.cursor(t));
    const got: number[][] = plan.threads.map(() => []);
    for (let step = 0; step < per; step++) {
      cursors.forEach((c, i) => {
        const r = c.next();
        if (r >= 0) got[i]!.push(r);
      });
      expect(blocks.aliveCount).toBeLessThanOrEqual(threads);
    }
    cursors.forEach((c, i) => got[i]!.push(...drain(c)));
    plan.threads.forEach((t, i) => expect(got[i]).toEqual(expected(cols, t.tid)));
    expect(Math.min(...plan.blockThreads.subarray(0, -1))).toBeGreaterThan(SCAN_MAX_THREADS);
    // All threads start together, so each block of many threads is grouped exactly once.
    expect(blocks.sorted).toBe(plan.blockThreads.filter((c) => c > SCAN_MAX_THREADS).length);
  });

  it('return -1 at the end, and keep returning it', () => {
    const cols = table(5, (r) => (r % 2 === 0 ? 1 : 2));
    const plan = planThreads(cols);
    const blocks = new RowBlocks(cols, plan);
    const c = blocks.cursor(plan.threads[1]!);
    expect(drain(c)).toEqual([1, 3]);
    expect(c.next()).toBe(-1);
    expect(c.next()).toBe(-1);
  });

  it('note the pids fork rows create', () => {
    const cols = table(3, () => 7);
    cols.op[1] = Op.fork;
    cols.arg[1] = 42;
    expect([...planThreads(cols).forkedPids]).toEqual([42]);
  });
});
