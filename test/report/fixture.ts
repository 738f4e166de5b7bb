/**
 * A small hand-built ReplayResult with real Histogram objects, for the report golden tests.
 * Machine at 2 GHz so ns = cycles / 2 (exact for even cycle counts).
 */
import { Histogram } from '../../src/replay/stats/histogram.js';
import type { PolicyResult, ReplayResult, SummaryCounters } from '../../src/replay/result.js';

/** A histogram holding exactly `values`. */
export function hist(...values: number[]): Histogram {
  const h = new Histogram();
  for (const v of values) h.record(v);
  return h;
}

function summary(over: Partial<SummaryCounters>): SummaryCounters {
  return {
    events: 0, faults: 0, major_faults: 0, makespan_cycles: 0, mmap_lock_wait_cycles: 0, vma_lock_wait_cycles: 0,
    migrate_pages: 0, migrate_ok: 0, migrate_failed: 0, refcount_failures: 0, cow_copies: 0, fork_copies: 0,
    swapins: 0, duplicate_swapins: 0, integrity_violations: 0, stale_migration_entries: 0, deadlocks: 0, ...over,
  };
}

function oldPolicy(label: string): PolicyResult {
  return {
    policy: label,
    variants: { fault_lock: 'mmap-noretry', swapin: 'swapcache' },
    summary: summary({
      events: 10, faults: 4, major_faults: 1, makespan_cycles: 2_000_000, mmap_lock_wait_cycles: 6000,
      migrate_pages: 2, migrate_ok: 1, migrate_failed: 1, refcount_failures: 3, cow_copies: 1, swapins: 1,
      integrity_violations: 1, deadlocks: 1,
    }),
    faultLatency: hist(200, 400, 1000, 60_000),
    latency: [
      { op: 'write', path: 'cow', hist: hist(1000) },
      { op: 'read', path: 'swapin', hist: hist(60_000) },
      { op: 'read', path: 'anon', hist: hist(200, 400) },
    ],
    locks: [
      { lock: 'mmap_lock', type: 'rwsem:W', acquisitions: 2, contentions: 1, wait: hist(6000), hold: hist(100, 300) },
      { lock: 'mmap_lock', type: 'rwsem:R', acquisitions: 5, contentions: 0, wait: hist(), hold: hist(20, 20, 20, 20, 20) },
    ],
    refcount: [
      { path: 'migrate', outcome: 'failed', holder: 'migration-wait', count: 1 },
      { path: 'migrate', outcome: 'eagain', holder: 'migration-wait', count: 2 },
      { path: 'migrate', outcome: 'ok', holder: '-', count: 1 },
    ],
    integrity: [{ kind: 'lost_write', count: 1, first_tid: 101, first_addr: 0x7f0000001000, first_cycles: 123_456 }],
    findings: [{ kind: 'deadlock', message: 'tid 101 and tid 102 wait for each other', cycles: 1_999_000, detail: ['tid 101 waits for mmap_lock (rwsem:W) held by tid 102', 'tid 102 waits for folio_lock held by tid 101'] }],
    counters: { 'replay.retries': 0, 'replay.timer_interrupts': 7 },
  };
}

function newPolicy(label: string): PolicyResult {
  return {
    policy: label,
    variants: { fault_lock: 'vma-retry', swapin: 'skip-prepare-wq' },
    summary: summary({
      events: 10, faults: 4, makespan_cycles: 1_000_000, vma_lock_wait_cycles: 400, migrate_pages: 2, migrate_ok: 2,
      cow_copies: 1, swapins: 1,
    }),
    faultLatency: hist(200, 200, 1000, 8000),
    latency: [
      { op: 'read', path: 'anon', hist: hist(200, 200) },
      { op: 'write', path: 'cow', hist: hist(1000) },
      { op: 'read', path: 'swapin', hist: hist(8000) },
    ],
    locks: [
      { lock: 'vma_lock', type: 'rwsem:R', acquisitions: 4, contentions: 1, wait: hist(400), hold: hist(200, 200, 1000, 8000) },
      { lock: 'mmap_lock', type: 'rwsem:W', acquisitions: 2, contentions: 0, wait: hist(), hold: hist(100, 300) },
    ],
    refcount: [{ path: 'migrate', outcome: 'ok', holder: '-', count: 2 }],
    integrity: [],
    findings: [],
    counters: { 'replay.timer_interrupts': 3 },
  };
}

/** Two policies, old then new; the old one has a deadlock and a lost write. */
export function smallResult(oldLabel = 'linux-2.6.34-rc', newLabel = 'linux-6.12'): ReplayResult {
  return {
    machine: { cpus: 2, nodes: 2, cpuGhz: 2, hz: 1000, memoryLimitBytes: null, swap: 'zram', disk: 'nvme', timing: 'trace', autoVma: false, seed: 1 },
    costs: { pte_walk: 40, page_copy: 1200 },
    trace: { path: 'traces/tiny.csv', sha256: 'ab'.repeat(32), rows: 10 },
    policies: [oldPolicy(oldLabel), newPolicy(newLabel)],
  };
}

/** `n` policies, for width tests: label variants of the new policy with growing figures. */
export function manyPolicies(n: number): ReplayResult {
  const r = smallResult();
  const presets = ['linux-2.6.34-rc', 'linux-5.8', 'linux-5.10', 'linux-6.1', 'linux-6.4', 'linux-6.6', 'linux-6.8', 'linux-6.12'];
  r.policies = Array.from({ length: n }, (_, i) => {
    const label = i < presets.length ? presets[i]! : `linux-6.8+swapin=skip-prepare-tick+fault_lock=vma-wait+p${i}`;
    const p = i % 2 === 0 ? oldPolicy(label) : newPolicy(label);
    p.summary.makespan_cycles += i * 123_457_000;
    return p;
  });
  return r;
}
