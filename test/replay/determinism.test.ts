import { describe, expect, it } from 'vitest';
import { BASE, PAGE, run, type Row } from './harness.js';
import { replayOutputFiles } from '../../src/report/write.js';
import { replay } from '../../src/replay/replay.js';
import { parsePolicy } from '../../src/replay/policies/presets.js';
import { columns, DEFAULT_MACHINE } from './harness.js';

/** 16 threads of one process: each maps its own region, writes it, reads it back. */
function sixteenThreads(): Row[] {
  const rows: Row[] = [];
  for (let t = 0; t < 16; t++) {
    const base = BASE + t * 64 * PAGE;
    rows.push([t * 100, 1, 100 + t, 'mmap', base, 32 * PAGE, 0]);
    for (let i = 0; i < 32; i++) rows.push([1000 + i * 50 + t, 1, 100 + t, 'write', base + i * PAGE]);
    for (let i = 0; i < 64; i++) rows.push([5000 + i * 20 + t, 1, 100 + t, 'read', base + (i % 32) * PAGE + 8]);
    rows.push([20000, 1, 100 + t, 'munmap', base, 32 * PAGE, 0]);
  }
  return rows;
}

function summaryCsv(cpus: number, seed: number): string {
  const cols = columns(sixteenThreads());
  const result = replay(cols, {
    machine: { ...DEFAULT_MACHINE, cpus, seed },
    policies: [parsePolicy('linux-6.12'), parsePolicy('linux-2.6.34-rc')],
    trace: { path: 'inline', sha256: '-', rows: cols.ts.length },
  });
  const { files } = replayOutputFiles(result, { unit: 'ns', commandLine: 'test', toolVersion: 'test' });
  return files.filter((f) => f.name.endsWith('.csv')).map((f) => `${f.name}\n${f.text}`).join('\n');
}

describe('determinism', () => {
  it('the same trace and seed give byte-identical CSV, one CPU per thread', () => {
    expect(summaryCsv(0, 1)).toBe(summaryCsv(0, 1));
  });

  it('and with --cpus 2 on 16 threads (run queue, context switches)', () => {
    const a = summaryCsv(2, 1);
    expect(a).toBe(summaryCsv(2, 1));
    expect(a).not.toBe(summaryCsv(0, 1));
  });

  it('fewer CPUs than threads means context switches and a longer makespan', () => {
    const [wide] = run(sixteenThreads(), ['linux-6.12'], { cpus: 16 });
    const [narrow] = run(sixteenThreads(), ['linux-6.12'], { cpus: 2 });
    expect(narrow!.counters.context_switches).toBeGreaterThan(0);
    expect(narrow!.summary.makespan_cycles).toBeGreaterThan(wide!.summary.makespan_cycles);
    expect(narrow!.summary.events).toBe(wide!.summary.events);
    expect(narrow!.summary.integrity_violations).toBe(0);
  });

  it('a different seed changes interrupt jitter but not what happened', () => {
    const [a] = run(sixteenThreads(), ['linux-6.12'], { seed: 1 });
    const [b] = run(sixteenThreads(), ['linux-6.12'], { seed: 2 });
    expect(b!.summary.faults).toBe(a!.summary.faults);
    expect(b!.summary.events).toBe(a!.summary.events);
  });
});

describe('policies are independent', () => {
  it('a policy gives the same result alone as in a set (each replays from a fresh machine)', () => {
    const rows = sixteenThreads();
    const [alone] = run(rows, ['linux-2.6.34-rc']);
    const [, inSet] = run(rows, ['linux-6.12', 'linux-2.6.34-rc']);
    expect(inSet!.summary).toEqual(alone!.summary);
    expect(inSet!.counters).toEqual(alone!.counters);
  });
});
