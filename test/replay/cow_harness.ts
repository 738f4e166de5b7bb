/**
 * Helpers for the fork/COW/GUP scenario tests: replay rows under one policy and keep the Kernel,
 * so a test can look at folios (refcount, freed) after the run; and the row builders the cow.c
 * scenarios share.
 */
import { resolveCostsNs, toCycles } from '../../src/replay/costs.js';
import { Kernel, Thread } from '../../src/replay/kernel.js';
import { thread_main } from '../../src/replay/paths/thread_main.js';
import { parsePolicy } from '../../src/replay/policies/presets.js';
import { planThreads } from '../../src/replay/replay.js';
import { Rng } from '../../src/util/rng.js';
import { DEFAULT_MACHINE, columns, type Row } from './harness.js';

/** Replay `rows` under `policy` as replay() does, returning the Kernel after the run. */
export function runKernel(rows: Row[], policy = 'linux-6.12'): Kernel {
  const cols = columns(rows);
  const plan = planThreads(cols);
  const machine = { ...DEFAULT_MACHINE, cpus: Math.max(1, plan.threads.length) };
  const costs = toCycles(resolveCostsNs({}), machine.cpuGhz, machine.hz);
  const k = new Kernel({ machine, costs, policy: parsePolicy(policy), rng: new Rng(machine.seed), timeline: null });
  for (const tp of plan.threads) {
    const t = new Thread(k.engine, tp.tid, tp.pid, `${tp.pid}/${tp.tid}`);
    t.program = thread_main(k, t, tp.rows, cols, false);
    k.threads.push(t);
    if (plan.forkedPids.has(tp.pid)) {
      k.pendingProcesses.set(tp.pid, [...(k.pendingProcesses.get(tp.pid) ?? []), t]);
      continue;
    }
    const mm = k.mms.get(tp.pid) ?? k.newMm(tp.pid, k.oracle.newView());
    t.mm = mm;
    mm.users++;
    k.engine.start(t, 0);
  }
  if (!k.engine.run()) throw new Error('deadlock in test replay');
  return k;
}

/** Integrity findings of a result as {kind: count}. */
export function integrity(r: { integrity: { kind: string; count: number }[] }): Record<string, number> {
  return Object.fromEntries(r.integrity.map((i) => [i.kind, i.count]));
}

/** One microsecond in trace ns: rows of different processes are ordered by generous gaps. */
export const US = 1000;
