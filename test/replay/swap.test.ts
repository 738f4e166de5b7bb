import { describe, expect, it } from 'vitest';
import { BASE, PAGE, paths, run, type Row } from './harness.js';
import type { PolicyResult } from '../../src/replay/result.js';
import { DEFAULT_MACHINE } from './harness.js';
import { Kernel, Thread } from '../../src/replay/kernel.js';
import { resolveCostsNs, toCycles } from '../../src/replay/costs.js';
import { parsePolicy } from '../../src/replay/policies/presets.js';
import { Rng } from '../../src/util/rng.js';
import { WaitQueue } from '../../src/replay/locks/waitqueue.js';
import { sleep_on_timeout, wake_up } from '../../src/replay/paths/schedule_timeout.js';
import type { Program } from '../../src/replay/engine/task.js';

/** One jiffy at the harness's 1000 Hz and 3 GHz, in cycles. */
const JIFFY = 3_000_000;

/** pid 1 maps `pages` pages, writes each, and swaps them all out (MADV_PAGEOUT) by t = 100 us. */
function swappedOut(pages: number): Row[] {
  const rows: Row[] = [[0, 1, 1, 'mmap', BASE, pages * PAGE, 0]];
  for (let p = 0; p < pages; p++) rows.push([1000 + p, 1, 1, 'write', BASE + p * PAGE]);
  rows.push([50_000, 1, 1, 'swapout', BASE, pages * PAGE]);
  return rows;
}

function byTs(rows: Row[]): Row[] {
  return [...rows].sort((a, b) => a[0] - b[0]);
}

function lock(r: PolicyResult, name: string, type: string) {
  return r.locks.find((l) => l.lock === name && l.type === type);
}

/** Events of a latency histogram at or above `v` (from its quantiles; exact at this spread). */
function countAtLeast(h: { count: number; quantile(q: number): number }, v: number): number {
  let n = 0;
  for (let i = 1; i <= h.count; i++) if (h.quantile(i / h.count) >= v) n++;
  return n;
}

describe('swap-out and swap-in', () => {
  it('MADV_PAGEOUT on zram frees the pages; the next touches read them back with their data', () => {
    const [r] = run(byTs([...swappedOut(4), [200_000, 1, 1, 'read', BASE], [210_000, 1, 1, 'read', BASE + 3 * PAGE]]));
    expect(r!.counters.reclaim_freed).toBe(4);
    expect(r!.summary.swapins).toBe(2);
    expect(paths(r!, 'read')).toEqual({ swapin: 2 });
    expect(r!.summary.major_faults).toBe(2);
    expect(r!.summary.integrity_violations).toBe(0);
  });

  it('under swapin=swapcache two tasks faulting the same swapped page do one I/O; the other waits on the folio lock', () => {
    // The second arrives 500 ns later, while the first's zram read (under the folio lock) is in flight.
    const rows = byTs([...swappedOut(1), [200_000, 1, 1, 'read', BASE], [200_500, 1, 2, 'read', BASE]]);
    const [r] = run(rows, ['linux-6.12+swapin=swapcache']);
    expect(r!.summary.swapins).toBe(1);
    expect(r!.summary.duplicate_swapins).toBe(0);
    expect(paths(r!, 'read')).toEqual({ swapin: 1, swapcache: 1 });
    // The second found the folio in the swap cache, locked for the read: it dropped its VMA lock,
    // waited for the folio (folio_wait_locked) and retried.
    expect(r!.counters.folio_lock_retries).toBe(1);
    expect(r!.summary.integrity_violations).toBe(0);
  });

  it('under swapin=skip the same two tasks both read the entry: a duplicate swap-in, one folio dropped', () => {
    const rows = byTs([...swappedOut(1), [200_000, 1, 1, 'read', BASE], [200_000, 1, 2, 'read', BASE]]);
    const [r] = run(rows, ['linux-6.12+swapin=skip']);
    expect(r!.summary.swapins).toBe(2);
    expect(r!.summary.duplicate_swapins).toBe(1);
    expect(r!.counters.swapin_pte_changed).toBe(1);
    expect(r!.summary.integrity_violations).toBe(0);
  });

  it('skip-prepare variants serialise the two with swapcache_prepare(): one read, one back-off', () => {
    const rows = byTs([...swappedOut(1), [200_000, 1, 1, 'read', BASE], [200_000, 1, 2, 'read', BASE]]);
    for (const r of run(rows, ['linux-6.8', 'linux-6.12'])) {
      expect(r.summary.swapins).toBe(1);
      expect(r.summary.duplicate_swapins).toBe(0);
      expect(r.counters.swapcache_prepare_backoffs).toBe(1);
    }
  });
});

describe('swap entries shared by fork', () => {
  it('a swap count above 1 takes the swap-cache path even on zram; parent and child share the folio and COW apart', () => {
    const rows = byTs([
      ...swappedOut(2),
      [100_000, 1, 1, 'fork', 0, 0, 2],
      [3_000_000, 2, 2, 'read', BASE],
      [3_100_000, 1, 1, 'read', BASE],
      [3_200_000, 2, 2, 'write', BASE],
      [3_300_000, 1, 1, 'read', BASE],
      [3_400_000, 2, 2, 'read', BASE],
      [3_500_000, 1, 1, 'write', BASE + PAGE],
      [3_600_000, 2, 2, 'read', BASE + PAGE],
    ]);
    for (const r of run(rows, ['linux-6.12', 'linux-5.10', 'linux-2.6.34-rc'])) {
      // One read of page 0 for both processes (the child's, via the swap cache); page 1 once more.
      expect(r.summary.swapins, r.policy).toBeLessThanOrEqual(3);
      expect(r.summary.duplicate_swapins, r.policy).toBe(0);
      expect(r.summary.cow_copies, r.policy).toBeGreaterThanOrEqual(1);
      expect(r.summary.integrity_violations, r.policy).toBe(0);
    }
  });
});

describe('the swapcache-skip ABA race (13ddaf26be32)', () => {
  // Per page p: T1 (tid 2) write-faults it, T0 (tid 3) read-faults it d_p ns later, and the
  // reclaimer (tid 1) swaps it out again 3 us after T1's fault. When T0 read the entry before
  // T1 freed it, and the reclaimer reused the freed slot for T1's modified page before T0's
  // pte_same(), T0 installs its stale copy. d_p sweeps 0..4 us in 50 ns steps; nothing is
  // widened: the window is the fault path's own length plus whatever interrupts land in it.
  const N = 81;
  const rows: Row[] = swappedOut(N);
  for (let p = 0; p < N; p++) {
    const t = 1_000_000 + p * 50_000;
    rows.push([t, 1, 2, 'write', BASE + p * PAGE]);
    rows.push([t + p * 50, 1, 3, 'read', BASE + p * PAGE]);
    rows.push([t + 3000, 1, 1, 'swapout', BASE + p * PAGE, PAGE]);
  }
  // Finally everyone's view is checked: read every page again.
  for (let p = 0; p < N; p++) rows.push([6_000_000 + p * 1000, 1, 1, 'read', BASE + p * PAGE]);
  const results = run(byTs(rows), ['linux-6.12+swapin=skip', 'linux-6.12+swapin=swapcache', 'linux-6.12+swapin=skip-prepare-tick', 'linux-6.12+swapin=skip-prepare-wq']);

  it('skip: duplicate swap-ins, slot reuse, and stale data installed (lost writes)', () => {
    const r = results[0]!;
    expect(r.summary.duplicate_swapins).toBeGreaterThan(0);
    expect(r.counters.swap_slots_reused).toBeGreaterThan(0);
    expect(r.summary.integrity_violations).toBeGreaterThan(0);
    expect(r.integrity.map((i) => i.kind)).toEqual(['lost_write']);
  });

  it('swapcache, skip-prepare-tick and skip-prepare-wq never lose a write', () => {
    for (const r of results.slice(1)) {
      expect(r.summary.integrity_violations, r.policy).toBe(0);
      expect(r.summary.duplicate_swapins, r.policy).toBe(0);
      expect(r.counters.swap_slots_reused, r.policy).toBeGreaterThan(0);
    }
  });
});

describe('swapcache_prepare() back-off: a tick or a wait queue', () => {
  // Two threads fault the same 40 swapped pages, one page every 3 ms (longer than a back-off);
  // the second lags by 0..1.95 us.
  const N = 40;
  const rows: Row[] = swappedOut(N);
  for (let p = 0; p < N; p++) {
    const t = 1_000_000 + p * 3_000_000;
    rows.push([t, 1, 2, 'read', BASE + p * PAGE]);
    rows.push([t + p * 50, 1, 3, 'read', BASE + p * PAGE]);
  }
  const [tick, wq] = run(byTs(rows), ['linux-6.12+swapin=skip-prepare-tick', 'linux-6.12+swapin=skip-prepare-wq']);

  it('skip-prepare-tick: losers sleep to the next tick holding the VMA read lock, (0, 1] jiffy, not a whole jiffy from the fault', () => {
    const backoffs = tick!.counters.swapcache_prepare_backoffs!;
    expect(backoffs).toBeGreaterThan(5);
    const vma = lock(tick!, 'vma_lock', 'rwsem:R')!;
    // Every loser holds its VMA read lock across the sleep: holds far above a fault's own.
    expect(countAtLeast(vma.hold, JIFFY / 50)).toBeGreaterThanOrEqual(backoffs - 2);
    const lat = tick!.latency.find((l) => l.op === 'read' && l.path === 'swapin-backoff')!;
    expect(lat.hist.count).toBe(backoffs);
    // schedule_timeout_uninterruptible(1) ends at the next tick boundary: the faults come at
    // arbitrary phases of the tick, so the sleeps spread below a jiffy (the whole jiffy was the
    // old, wrong model) and none is longer than a jiffy plus the wake-up.
    expect(lat.hist.quantile(0.5)).toBeLessThan(JIFFY);
    expect(lat.hist.max).toBeLessThan(JIFFY * 1.05);
  });

  it('skip-prepare-wq: the same losers are woken by swapcache_clear(); p99 well below a tick', () => {
    // The same collisions lose (give or take one whose timing the tick sleeps shifted).
    expect(Math.abs(wq!.counters.swapcache_prepare_backoffs! - tick!.counters.swapcache_prepare_backoffs!)).toBeLessThanOrEqual(2);
    expect(wq!.counters.swapcache_wq_wakeups).toBeGreaterThan(0);
    expect(wq!.faultLatency.quantile(0.99)).toBeLessThan(JIFFY / 20);
    // Only a missed wake-up (or none) costs a tick.
    expect(countAtLeast(wq!.faultLatency, JIFFY)).toBe(wq!.counters.swapcache_wq_timeouts ?? 0);
  });
});

describe('skip-prepare-wq missed wake-ups', () => {
  it('a wake_up() between a failed swapcache_prepare() and add_wait_queue() is missed: the loser sleeps until its timer fires at the next tick', () => {
    // The race at the wait queue itself: the loser yields between its failed prepare and the
    // queueing (one step, where interrupts land); a wake_up() at that moment finds no waiter.
    const k = new Kernel({ machine: { ...DEFAULT_MACHINE, cpus: 3 }, costs: toCycles(resolveCostsNs(), 3, 1000), policy: parsePolicy('linux-6.12'), rng: new Rng(1), timeline: null });
    const wq = new WaitQueue('swapcache_wq');
    let timeouts = 0;
    const woke: Record<string, number> = {};
    const loser = (name: string, raceStep: number): Program =>
      (function* () {
        yield raceStep; // failed swapcache_prepare() .. add_wait_queue()
        yield sleep_on_timeout(k, wq, 1, () => timeouts++);
        woke[name] = k.now;
      })();
    const winner: Program = (function* () {
      yield 1000; // swapcache_clear() lands while "late" is still between its two steps
      if (wq.active) wake_up(k, wq);
    })();
    const tasks = [new Thread(k.engine, 1, 1, 'early'), new Thread(k.engine, 2, 1, 'late'), new Thread(k.engine, 3, 1, 'winner')];
    tasks[0]!.program = loser('early', 500);
    tasks[1]!.program = loser('late', 1500);
    tasks[2]!.program = winner;
    for (const t of tasks) k.engine.start(t, 0);
    k.engine.run();
    expect(timeouts).toBe(1);
    expect(woke.early!).toBeLessThan(k.costs.jiffy / 100);
    // The missed loser sleeps until its one-jiffy timer fires: the next tick of its CPU (CPU 1
    // of 3 ticks at a third of a jiffy), not a whole jiffy after it went to sleep.
    const tick = Math.floor(k.costs.jiffy / 3);
    expect(woke.late!).toBeGreaterThanOrEqual(tick);
    expect(woke.late!).toBeLessThan(tick + k.costs.jiffy / 100);
  });

  it('in a replay, only missed wake-ups cost a tick', () => {
    // Many collisions at varied lags: every fault of a tick or more is a swapcache_wq timeout.
    const N = 200;
    const rows: Row[] = swappedOut(N);
    for (let p = 0; p < N; p++) {
      const t = 1_000_000 + p * 200_000;
      rows.push([t, 1, 2, 'read', BASE + p * PAGE]);
      rows.push([t + 1000 + p * 7, 1, 3, 'read', BASE + p * PAGE]);
    }
    const [r] = run(byTs(rows), ['linux-6.12']);
    expect(r!.counters.swapcache_prepare_backoffs).toBeGreaterThan(50);
    expect(countAtLeast(r!.faultLatency, JIFFY)).toBe(r!.counters.swapcache_wq_timeouts ?? 0);
    expect(r!.faultLatency.quantile(0.99)).toBeLessThan(JIFFY / 20);
    expect(r!.summary.integrity_violations).toBe(0);
  });
});

describe('published swap-in cost ratios (docs/kernel-sources.md D, 13ddaf26be32: zram, one thread)', () => {
  it('sequential swap-in: skip-prepare/skip ~ 1.02 and swapcache/skip ~ 1.20', () => {
    const N = 4096;
    const rows: Row[] = [[0, 1, 1, 'mmap', BASE, N * PAGE, 0]];
    for (let p = 0; p < N; p++) rows.push([1000, 1, 1, 'write', BASE + p * PAGE, PAGE]);
    rows.push([1000, 1, 1, 'swapout', BASE, N * PAGE]);
    for (let p = 0; p < N; p++) rows.push([1000, 1, 1, 'read', BASE + p * PAGE, PAGE]);
    const rs = run(rows, ['linux-6.12+swapin=skip', 'linux-6.8', 'linux-6.12+swapin=swapcache']);
    // Time of the read-back: the read rows run back to back.
    const t = rs.map((r) => r.latency.filter((l) => l.op === 'read').reduce((a, l) => a + l.hist.sum, 0));
    const prepare = t[1]! / t[0]!;
    const swapcache = t[2]! / t[0]!;
    expect(Math.abs(prepare / (11.16 / 10.93) - 1)).toBeLessThan(0.1);
    expect(Math.abs(swapcache / (13.16 / 10.93) - 1)).toBeLessThan(0.1);
    // Readahead (page_cluster 3): one read fault per 8 pages on the swap-cache path.
    const ra = paths(rs[2]!, 'read');
    expect(ra.swapin).toBeGreaterThanOrEqual(N / 8);
    expect(ra.swapin).toBeLessThanOrEqual(N / 8 + 2);
    expect(ra.swapin! + ra.swapcache!).toBe(N);
    for (const r of rs) expect(r.summary.integrity_violations).toBe(0);
  });
});
