import { describe, expect, it } from 'vitest';
import { Op } from '../../src/ingest/schema.js';
import type { EventColumnArrays } from '../../src/ingest/batch.js';
import { BLOCK_ROWS, RowBlocks, planThreads, type ThreadRows } from '../../src/replay/thread_rows.js';

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

  it('give each thread its rows in file order when threads interleave, across block boundaries', () => {
    // Irregular interleaving: runs of one tid of varying length, threads absent from some blocks.
    const cols = table(n, (r) => (r < BLOCK_ROWS ? 10 + ((r >> 3) % 3) : 10 + ((r * 7) % 5)));
    const plan = planThreads(cols);
    expect(plan.threads.map((t) => t.tid)).toEqual([10, 11, 12, 13, 14]);
    expect(plan.threads.find((t) => t.tid === 13)!.blocks).toEqual(Int32Array.from([1, 2, 3]));
    const blocks = new RowBlocks(cols, plan);
    const cursors = plan.threads.map((t) => blocks.cursor(t));
    // Advance all cursors together, as the replay's threads do: each block is sorted once.
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
  });

  it('keep at most one block per thread alive when a trace is written thread by thread', () => {
    const per = Math.ceil(n / 4);
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
      expect(blocks.aliveCount).toBeLessThanOrEqual(4);
    }
    cursors.forEach((c, i) => got[i]!.push(...drain(c)));
    plan.threads.forEach((t, i) => expect(got[i]).toEqual(expected(cols, t.tid)));
    // Every block sorted once: no block was dropped while a thread still needed it.
    expect(blocks.sorted).toBe(Math.ceil(n / BLOCK_ROWS));
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
