/**
 * An emulated deadlock (issue 3, "Invariants and deadlocks"): tasks blocked with nothing left to
 * run end the policy's run with a finding that names each blocked task, what it waits for, who
 * holds that, and the wait-for cycle.
 */
import { describe, expect, it } from 'vitest';
import { Kernel, Thread } from '../../src/replay/kernel.js';
import { resolveCostsNs, toCycles } from '../../src/replay/costs.js';
import { parsePolicy } from '../../src/replay/policies/presets.js';
import { RwSem } from '../../src/replay/locks/rwsem.js';
import { SpinLock } from '../../src/replay/locks/spinlock.js';
import { reportDeadlock } from '../../src/replay/replay.js';
import type { Block, Program } from '../../src/replay/engine/task.js';
import { Rng } from '../../src/util/rng.js';
import { DEFAULT_MACHINE } from './harness.js';

function kernel(): Kernel {
  return new Kernel({ machine: { ...DEFAULT_MACHINE, cpus: 2 }, costs: toCycles(resolveCostsNs(), 3, 1000), policy: parsePolicy('linux-6.12'), rng: new Rng(1), timeline: null });
}

/** A thread of pid 1 running `program`. */
function thread(k: Kernel, tid: number, program: Program): Thread {
  const t = new Thread(k.engine, tid, 1, `t${tid}`);
  t.mm = k.mms.get(1) ?? k.newMm(1, k.oracle.newView());
  t.program = program;
  k.threads.push(t);
  k.engine.start(t, 0);
  return t;
}

/** Take `first`, work, then take `second` (and never get there when the other thread crossed). */
function* crossing(first: Block, second: Block): Generator<Block | number, void, unknown> {
  yield first;
  yield 1000;
  yield second;
}

describe('emulated deadlocks', () => {
  it('an AB-BA on two rwsems: both tasks blocked, each named with its lock and its holder, and the cycle', () => {
    const k = kernel();
    const a = new RwSem(k.lockEnv, 'lock_a');
    const b = new RwSem(k.lockEnv, 'lock_b');
    thread(k, 1, crossing(a.write, b.write));
    thread(k, 2, crossing(b.write, a.read));
    expect(k.engine.run()).toBe(false);
    reportDeadlock(k);
    expect(k.stats.summary.deadlocks).toBe(1);
    const f = k.stats.findings[0]!;
    expect(f.kind).toBe('deadlock');
    expect(f.message).toBe('2 tasks blocked with nothing runnable');
    expect(f.detail[0]).toMatch(/^task 1\/1 sleeps on lock_b:W, held by 1\/2 since cycle \d+$/);
    expect(f.detail[1]).toMatch(/^task 1\/2 sleeps on lock_a:R, held by 1\/1 since cycle \d+$/);
    expect(f.detail[2]).toBe('wait-for cycle: 1/1 -> 1/2 -> 1/1');
  });

  it('spinlocks spin: the report says so, and a task waiting on a free-running holder is no cycle', () => {
    const k = kernel();
    const s = new SpinLock(k.lockEnv, 'ptl');
    const r = new RwSem(k.lockEnv, 'lock_r');
    // tid 1 holds the spinlock and sleeps forever on an rwsem that tid 3 holds and never releases
    // (tid 3 finished); tid 2 spins on the spinlock.
    thread(k, 3, (function* () {
      yield r.write;
    })());
    thread(k, 1, crossing(s.lock, r.read));
    thread(k, 2, (function* () {
      yield 500;
      yield s.lock;
    })());
    expect(k.engine.run()).toBe(false);
    reportDeadlock(k);
    const f = k.stats.findings[0]!;
    expect(f.message).toBe('2 tasks blocked with nothing runnable');
    expect(f.detail).toEqual([
      expect.stringMatching(/^task 1\/1 sleeps on lock_r:R, held by 1\/3 since cycle \d+$/),
      expect.stringMatching(/^task 1\/2 spins on ptl, held by 1\/1 since cycle \d+$/),
    ]);
  });
});
