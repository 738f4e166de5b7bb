/**
 * Replay a synthetic scenario in-process: generate it (as `mmreplay generate NAME --set ...`
 * would, same rows byte for byte) straight into event columns, then replay it under policies.
 */
import { findScenario, generateScenario, scenarioParams } from '../../src/ingest/synthetic/index.js';
import type { EventColumns } from '../../src/replay/row_loop.js';
import { replay } from '../../src/replay/replay.js';
import { parsePolicy } from '../../src/replay/policies/presets.js';
import type { MachineConfig, PolicyResult } from '../../src/replay/result.js';
import { DEFAULT_MACHINE } from './harness.js';

/** The rows of scenario `name` with `--set` strings `sets`, as replay columns. */
export function generatedColumns(name: string, sets: string[], seed = 1): EventColumns {
  const scenario = findScenario(name);
  const ts: number[] = [], pid: number[] = [], tid: number[] = [], op: number[] = [], addr: number[] = [], len: number[] = [], arg: number[] = [];
  generateScenario(scenario, scenarioParams(scenario, sets), seed, {
    push(a, b, c, d, e, f, g) {
      ts.push(a); pid.push(b); tid.push(c); op.push(d); addr.push(e); len.push(f); arg.push(g);
    },
  });
  return {
    ts: Float64Array.from(ts), pid: Int32Array.from(pid), tid: Int32Array.from(tid), op: Int8Array.from(op),
    addr: Float64Array.from(addr), len: Float64Array.from(len), arg: Float64Array.from(arg),
  };
}

/** Replay scenario `name` under each policy spec. */
export function runGenerated(name: string, sets: string[], policies: string[], machine: Partial<MachineConfig> = {}, seed = 1): PolicyResult[] {
  const cols = generatedColumns(name, sets, seed);
  return replay(cols, {
    machine: { ...DEFAULT_MACHINE, ...machine },
    policies: policies.map((p) => parsePolicy(p)),
    trace: { path: `synthetic:${name}`, sha256: '-', rows: cols.ts.length },
  }).policies;
}
