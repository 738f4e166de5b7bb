/**
 * pft-threads scaling, measured as the benchmark measures it (gormanm/pft pft.c): faults per
 * second over the test's wall time, from the earliest thread's first touch to the latest
 * thread's last one (`update_walltime_and_rusage`), here the first `write` event's start to the
 * last one's end. Used by test/replay/pft_scaling.test.ts and bench/pft_sensitivity.ts; pure
 * (no I/O).
 */
import { Op } from '../../src/ingest/schema.js';
import { findScenario, generateScenario, scenarioParams } from '../../src/ingest/synthetic/index.js';
import type { EventColumns } from '../../src/replay/row_loop.js';
import { parsePolicy } from '../../src/replay/policies/presets.js';
import { replay } from '../../src/replay/replay.js';
import type { EventRecorder, MachineConfig } from '../../src/replay/result.js';

/** The two fault-lock policies the published pft figures compare. */
export const PFT_BASELINE = 'linux-6.12+fault_lock=mmap';
export const PFT_VMA_LOCK = 'linux-6.12';

/**
 * Published faults/s of per-VMA locks against the mmap_lock baseline (pft-threads, Ice Lake
 * 2x32C; Punit Agrawal, "Re: [PATCH v2 00/33] Per-VMA locks", lore 87r0uqq1f9.fsf@stealth,
 * 2023-02-15, quoted in docs/kernel-sources.md A), by thread count.
 */
export const PUBLISHED_PFT: Readonly<Record<number, number>> = { 1: -0.5, 4: -9.5, 48: 16.4, 128: 21.9 };

/** One policy's run at one thread count. */
export interface PftRun {
  faults: number;
  /** Cycles from the first write's start to the last write's end. */
  windowCycles: number;
  faultsPerSec: number;
  /** makespan of the whole replay (spawn and teardown included), cycles. */
  makespanCycles: number;
  /** Read acquisitions per lock class (`mmap_lock`, `vma_lock`, `ptl` ...), and their contentions. */
  reads: Record<string, { acquisitions: number; contentions: number }>;
}

/** The pft trace with `threads` threads of `pages` pages each, as replay columns. */
export function pftColumns(threads: number, pages: number, seed = 1): EventColumns {
  const scenario = findScenario('pft');
  const rows: number[][] = [[], [], [], [], [], [], []];
  const sets = [`threads=${threads}`, `pages=${pages}`];
  generateScenario(scenario, scenarioParams(scenario, sets), seed, {
    push(...v: number[]) {
      for (let i = 0; i < 7; i++) rows[i]!.push(v[i]!);
    },
  });
  const [ts, pid, tid, op, addr, len, arg] = rows as [number[], number[], number[], number[], number[], number[], number[]];
  return {
    ts: Float64Array.from(ts), pid: Int32Array.from(pid), tid: Int32Array.from(tid), op: Int8Array.from(op),
    addr: Float64Array.from(addr), len: Float64Array.from(len), arg: Float64Array.from(arg),
  };
}

/** Collects the window of `write` events per policy. */
class WriteWindow implements EventRecorder {
  first: number[] = [];
  last: number[] = [];
  private i = 0;
  policy(index: number): void {
    this.i = index;
    this.first[index] = Infinity;
    this.last[index] = -Infinity;
  }
  event(_row: number, _tid: number, op: number, _path: string, _outcome: string, start: number, end: number): void {
    if (op !== Op.write) return;
    if (start < this.first[this.i]!) this.first[this.i] = start;
    if (end > this.last[this.i]!) this.last[this.i] = end;
  }
  async flush(): Promise<void> {}
}

/** Replay pft at `threads` threads (cpus = threads) under each policy; costs overridden in ns. */
export function runPft(threads: number, pages: number, policies: string[], costOverrides: Record<string, number> = {}): PftRun[] {
  const cols = pftColumns(threads, pages);
  const window = new WriteWindow();
  const machine: MachineConfig = {
    cpus: threads, nodes: 2, cpuGhz: 3, hz: 1000, memoryLimitBytes: null, swap: 'zram', disk: 'nvme',
    timing: 'trace', autoVma: false, seed: 1,
  };
  const r = replay(cols, {
    machine, costOverrides, policies: policies.map((p) => parsePolicy(p)),
    trace: { path: 'synthetic:pft', sha256: '-', rows: cols.ts.length }, events: window,
  });
  return r.policies.map((p, i) => {
    const windowCycles = window.last[i]! - window.first[i]!;
    const reads: PftRun['reads'] = {};
    for (const l of p.locks) if (l.type !== 'rwsem:W') reads[l.lock] = { acquisitions: l.acquisitions, contentions: l.contentions };
    return {
      faults: p.summary.faults,
      windowCycles,
      faultsPerSec: (p.summary.faults * machine.cpuGhz * 1e9) / windowCycles,
      makespanCycles: p.summary.makespan_cycles,
      reads,
    };
  });
}

/** The per-VMA lock's faults/s against the mmap_lock baseline, in percent, at each thread count. */
export function pftRatios(threadCounts: readonly number[], pages: number, costOverrides: Record<string, number> = {}): Map<number, number> {
  const out = new Map<number, number>();
  for (const n of threadCounts) {
    const [mmap, vma] = runPft(n, pages, [PFT_BASELINE, PFT_VMA_LOCK], costOverrides);
    out.set(n, (vma!.faultsPerSec / mmap!.faultsPerSec - 1) * 100);
  }
  return out;
}
