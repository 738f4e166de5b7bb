/**
 * Tiny inline traces for scenario tests: rows as arrays, replayed in-process under a policy,
 * with direct access to the Kernel for assertions on the emulated state.
 */
import { eventColumns, type EventRow } from '../../src/selftest/event_rows.js';
import type { EventColumns } from '../../src/replay/row_loop.js';
import { replay } from '../../src/replay/replay.js';
import { parsePolicy } from '../../src/replay/policies/presets.js';
import type { MachineConfig, PolicyResult } from '../../src/replay/result.js';

/** One row: [ts_ns, pid, tid, op, addr, len?, arg?] (the selftest cases' row form). */
export type Row = EventRow;

export const PAGE = 4096;
export const BASE = 0x7f0000000000;

/** The replay's columns of `rows` (len defaults: 1 for accesses, a page for range ops). */
export const columns = (rows: Row[]): EventColumns => eventColumns(rows);

export const DEFAULT_MACHINE: MachineConfig = {
  cpus: 0, nodes: 2, cpuGhz: 3, hz: 1000, memoryLimitBytes: null, swap: 'zram', disk: 'nvme',
  timing: 'trace', autoVma: false, seed: 1,
};

/** Replay rows under each policy spec; returns one result per policy. */
export function run(rows: Row[], policies: string[] = ['linux-6.12'], machine: Partial<MachineConfig> = {}): PolicyResult[] {
  const cols = columns(rows);
  return replay(cols, {
    machine: { ...DEFAULT_MACHINE, ...machine },
    policies: policies.map((p) => parsePolicy(p)),
    trace: { path: 'inline', sha256: '-', rows: rows.length },
  }).policies;
}

/** Latency rows of one op as {path: count}. */
export function paths(r: PolicyResult, op: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of r.latency) if (l.op === op) out[l.path] = l.hist.count;
  return out;
}
