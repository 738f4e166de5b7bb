/**
 * What the kernel does when reclaim cannot meet the limit (issue 20, defect 7): pinned pages and
 * pages held by a GUP reference cannot be reclaimed, and a page a fault just mapped is young
 * (folio_check_references spares it), so a limit below what the processes hold ends in the OOM
 * killer (mem_cgroup_oom -> out_of_memory), reported as a finding, never in a fault/reclaim loop
 * that ends in "BUG: invariant failed".
 */
import { describe, expect, it } from 'vitest';
import { run, type Row } from './harness.js';
import { Rng } from '../../src/util/rng.js';

const A = 0x10000000;
const P = 4096;

describe('reclaim that cannot meet --memory-limit', () => {
  it('a GUP child of a fork at a 2-page limit: the OOM killer kills a process, the replay ends cleanly', () => {
    const rows: Row[] = [
      [0, 1, 1, 'mmap', A, 2 * 1024 * 1024, 0],
      [10, 1, 1, 'write', A, 4 * P, 0],
      [20, 1, 1, 'fork', 0, 0, 2],
      [30, 2, 2, 'gup', A, 4 * P, 1],
      [40, 2, 2, 'write', A + 16 * P, 8, 0],
    ];
    const [r] = run(rows, ['linux-6.12'], { memoryLimitBytes: 2 * P });
    expect(r!.counters.oom_kills).toBe(1);
    const kill = r!.findings.find((f) => f.kind === 'oom_kill')!;
    expect(kill.message).toMatch(/^Out of memory: Killed process 2 /);
    expect(kill.detail).toEqual(['task 2/2 killed (SIGKILL), exits at its next row']);
    // The killed thread's GUP stopped (fatal signal pending) and its next row was its exit.
    expect(r!.counters.accesses_killed).toBe(1);
    expect(r!.counters.rows_after_oom_kill).toBe(1);
    expect(r!.summary.deadlocks).toBe(0);
  });

  it('pinned memory above the limit: the pinning process is the one with the most memory, and it is killed', () => {
    const rows: Row[] = [
      [0, 1, 1, 'mmap', A, 64 * P, 0],
      [10, 1, 1, 'pin', A, 8 * P, 1],
      [20, 1, 1, 'write', A + 32 * P, 16 * P, 0],
      [30, 1, 1, 'read', A, 8, 0],
    ];
    const [r] = run(rows, ['linux-6.12'], { memoryLimitBytes: 4 * P });
    expect(r!.counters.oom_kills).toBe(1);
    expect(r!.findings[0]!.message).toMatch(/Killed process 1 anon-rss:\d+kB/);
  });

  it('a page used since the last scan gets a second chance: reclaim spares it and clears its accessed bit', () => {
    // 8 pages written, a 4-page limit: reclaim runs with every page young from its fault.
    const rows: Row[] = [[0, 1, 1, 'mmap', A, 64 * P, 0]];
    for (let i = 0; i < 8; i++) rows.push([10 + i, 1, 1, 'write', A + i * P, 8, 0]);
    const [r] = run(rows, ['linux-6.12'], { memoryLimitBytes: 4 * P });
    expect(r!.counters.reclaim_referenced).toBeGreaterThan(0);
    expect(r!.counters.reclaim_freed).toBeGreaterThan(0);
    expect(r!.counters.oom_kills ?? 0).toBe(0);
    expect(r!.summary.integrity_violations).toBe(0);
  });

  it('an idle victim (its rows all run, no exit row) is woken by SIGKILL and exits, so a later fault is not stuck behind it', () => {
    // The trace found by the random test below: process 1 is done with its rows when task 3 runs out of memory.
    const rows: Row[] = [
      [0, 1, 1, 'mmap', A, 64 * P, 0], [10, 1, 1, 'write', A + 14 * P, 4 * P, 0], [95, 1, 1, 'fork', 0, 0, 2],
      [124, 1, 1, 'write', A, 2 * P, 0], [219, 1, 1, 'write', A + 18 * P, 4 * P, 0], [244, 2, 2, 'fork', 0, 0, 3],
      [254, 3, 3, 'gup', A + 28 * P, 4 * P, 1], [320, 2, 2, 'gup', A + 23 * P, 4 * P, 0], [419, 3, 3, 'fork', 0, 0, 4],
      [496, 4, 4, 'write', A + 19 * P, 3 * P, 0], [602, 3, 3, 'write', A + 4 * P, 4 * P, 0], [637, 3, 3, 'write', A + 31 * P, 3 * P, 0],
      [735, 1, 1, 'write', A + 5 * P, P, 0],
    ];
    const [r] = run(rows, ['linux-6.12'], { memoryLimitBytes: 3 * P });
    const kills = r!.findings.filter((f) => f.kind === 'oom_kill');
    expect(kills.length).toBeGreaterThan(0);
    expect(kills.flatMap((f) => f.detail).some((d) => d.endsWith('exits now (idle in user space)'))).toBe(true);
  });

  it('200 random traces with pins, GUP references and forks under 4-64 KiB limits all replay to the end', () => {
    const rng = new Rng(20261208);
    for (let n = 0; n < 200; n++) {
      const rows: Row[] = [[0, 1, 1, 'mmap', A, 64 * P, 0]];
      let ts = 10;
      let pids = 1;
      const live = [1];
      for (let e = 0; e < 12; e++) {
        const pid = live[rng.int(live.length)]!;
        const page = rng.int(32);
        const len = (1 + rng.int(4)) * P;
        const pick = rng.int(8);
        if (pick === 0 && pids < 4) {
          pids++;
          rows.push([ts, pid, pid, 'fork', 0, 0, pids]);
          live.push(pids);
        } else if (pick === 1) rows.push([ts, pid, pid, 'gup', A + page * P, len, rng.int(2)]);
        else if (pick === 2) rows.push([ts, pid, pid, 'pin', A + page * P, len, 1 + 2 * rng.int(2)]);
        else if (pick === 3) rows.push([ts, pid, pid, 'read', A + page * P, len, 0]);
        else rows.push([ts, pid, pid, 'write', A + page * P, len, 0]);
        ts += 10 + rng.int(100);
      }
      const limit = (1 + rng.int(16)) * P;
      const [r] = run(rows, ['linux-6.12', 'linux-5.10'], { memoryLimitBytes: limit });
      expect(r!.summary.deadlocks, `trace ${n}`).toBe(0);
    }
  });
});
