/**
 * Helpers for the fork/COW/GUP scenario tests: replay rows under one policy and keep the Kernel,
 * so a test can look at folios (refcount, freed) after the run; and the row builders the cow.c
 * scenarios share.
 */
import { resolveCostsNs, toCycles } from '../../src/replay/costs.js';
import { Kernel } from '../../src/replay/kernel.js';
import { parsePolicy } from '../../src/replay/policies/presets.js';
import { planThreads, startThreads } from '../../src/replay/replay.js';
import { Rng } from '../../src/util/rng.js';
import { DEFAULT_MACHINE, columns, type Row } from './harness.js';

/** Replay `rows` under `policy` as replay() does, returning the Kernel after the run. */
export function runKernel(rows: Row[], policy = 'linux-6.12'): Kernel {
  const cols = columns(rows);
  const plan = planThreads(cols);
  const machine = { ...DEFAULT_MACHINE, cpus: Math.max(1, plan.threads.length) };
  const costs = toCycles(resolveCostsNs({}), machine.cpuGhz, machine.hz);
  const k = new Kernel({ machine, costs, policy: parsePolicy(policy), rng: new Rng(machine.seed), timeline: null });
  startThreads(k, cols, plan);
  if (!k.engine.run()) throw new Error('deadlock in test replay');
  return k;
}

/** Integrity findings of a result as {kind: count}. */
export function integrity(r: { integrity: { kind: string; count: number }[] }): Record<string, number> {
  return Object.fromEntries(r.integrity.map((i) => [i.kind, i.count]));
}

/** One microsecond in trace ns: rows of different processes are ordered by generous gaps. */
export const US = 1000;
