/**
 * Page migration (docs/kernel-sources.md B): migrate_pages' passes and reference check, the TLB shootdown
 * before it, move_pages' node checks and mmap_lock scope, compaction without mmap_lock, and the
 * migration_wait axis (what a fault on a migration entry holds while it waits).
 */
import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadEventTable } from '../../src/ingest/load.js';
import { replay } from '../../src/replay/replay.js';
import { parsePolicy } from '../../src/replay/policies/presets.js';
import type { PolicyResult } from '../../src/replay/result.js';
import { InputError } from '../../src/util/errors.js';
import { BASE, DEFAULT_MACHINE, PAGE, columns, paths, run, type Row } from './harness.js';
import { runGenerated } from './generated.js';

/** Acquisitions of a lock class and type. */
function acq(r: PolicyResult, lock: string, type: string): number {
  return r.locks.find((l) => l.lock === lock && l.type === type)?.acquisitions ?? 0;
}

/** Replay rows with cost overrides (ns by name). */
function runCosts(rows: Row[], policy: string, costs: Record<string, number>): PolicyResult {
  return replay(columns(rows), {
    machine: { ...DEFAULT_MACHINE },
    costOverrides: costs,
    policies: [parsePolicy(policy)],
    trace: { path: 'inline', sha256: '-', rows: rows.length },
  }).policies[0]!;
}

/**
 * Thread 1 maps and writes one page, then migrates it `n` times between nodes 1 and 0 every
 * `gapNs`; `readers` threads of the same process load it every `readNs` meanwhile.
 */
function pingPong(n: number, readers: number, gapNs = 6000, readNs = 300): Row[] {
  const rows: Row[] = [[0, 1, 1, 'mmap', BASE, 4 * PAGE, 0], [1000, 1, 1, 'write', BASE]];
  const start = 20_000;
  for (let i = 0; i < n; i++) rows.push([start + i * gapNs, 1, 1, 'migrate', BASE, PAGE, i % 2 === 0 ? 1 : 0]);
  const end = start + n * gapNs;
  for (let r = 0; r < readers; r++) {
    for (let t = start - 5000 + r * 97; t < end; t += readNs) rows.push([t, 1, 10 + r, 'read', BASE]);
  }
  return rows.sort((a, b) => a[0] - b[0]);
}

describe('migrate_pages()', () => {
  it('a migration with no concurrent access succeeds in one pass', () => {
    const [r] = run([
      [0, 1, 1, 'mmap', BASE, 4 * PAGE, 0],
      [1000, 1, 1, 'write', BASE],
      [5000, 1, 1, 'migrate', BASE, PAGE, 1],
      [20000, 1, 1, 'read', BASE],
      // Moving it to node 1 again is a no-op: it is there now.
      [30000, 1, 1, 'migrate', BASE, PAGE, 1],
    ]);
    expect(r!.summary.migrate_pages).toBe(1);
    expect(r!.summary.migrate_ok).toBe(1);
    expect(r!.summary.migrate_failed).toBe(0);
    expect(r!.summary.refcount_failures).toBe(0);
    expect(r!.counters.migrate_retry_passes).toBeUndefined();
    expect(r!.counters.migrate_same_node).toBe(1);
    expect(r!.refcount).toEqual([{ path: 'migrate', outcome: 'ok', holder: '-', count: 1 }]);
    // The new folio is mapped with the old data: the read hits and sees the write.
    expect(paths(r!, 'read')).toEqual({ hit: 1 });
    expect(r!.summary.integrity_violations).toBe(0);
  });

  it('pays the TLB shootdown before the reference check: a reader faulting meanwhile holds a reference it sees', () => {
    // A reader on another CPU loads the page every 100 ns across the migration.
    const rows: Row[] = [[0, 1, 1, 'mmap', BASE, PAGE, 0], [1000, 1, 1, 'write', BASE], [10000, 1, 1, 'migrate', BASE, PAGE, 1]];
    for (let t = 5000; t < 30000; t += 100) rows.push([t, 1, 2, 'read', BASE]);
    rows.sort((a, b) => a[0] - b[0]);
    const policy = 'linux-6.12+migration_wait=pageref-hold';
    const r = runCosts(rows, policy, {});
    expect(r.counters.tlb_shootdowns).toBeGreaterThan(0);
    // The first pass fails on the reader's reference (taken in migration_entry_wait).
    expect(r.summary.refcount_failures).toBeGreaterThan(0);
    expect(r.refcount.find((x) => x.outcome === 'eagain')?.holder).toBe('migration-wait');
    expect(paths(r, 'read')['migration-wait']).toBeGreaterThan(0);
    // Without the shootdown's duration there is no window between the unmap and the check.
    const noFlush = runCosts(rows, policy, { tlb_shootdown_base: 0, tlb_shootdown_per_cpu: 0 });
    expect(noFlush.summary.refcount_failures).toBe(0);
    expect(noFlush.summary.migrate_ok).toBe(1);
  });

  it('move_pages to a node the machine does not have is an input error naming the row', () => {
    expect(() => run([[0, 1, 1, 'mmap', BASE, PAGE, 0], [1000, 1, 1, 'write', BASE], [2000, 1, 1, 'migrate', BASE, PAGE, 2]])).toThrow(InputError);
    expect(() => run([[0, 1, 1, 'mmap', BASE, PAGE, 0], [2000, 1, 1, 'migrate', BASE, PAGE, 2]])).toThrow(/--nodes 2/);
    expect(() => run([[0, 1, 1, 'mmap', BASE, PAGE, 0], [2000, 1, 1, 'migrate', BASE, PAGE, 2]])).toThrow(/row 1/);
  });

  it('pages not mapped, or only mapping the zero page, are skipped as -ENOENT', () => {
    const [r] = run([[0, 1, 1, 'mmap', BASE, 4 * PAGE, 0], [1000, 1, 1, 'read', BASE], [2000, 1, 1, 'migrate', BASE, 2 * PAGE, 1]]);
    expect(r!.counters.migrate_not_present).toBe(2);
    expect(r!.summary.migrate_pages).toBe(0);
  });

  it('move_pages holds mmap_lock across the migration before 4.17, for each lookup only since', () => {
    const base: Row[] = [[0, 1, 1, 'mmap', BASE, 4 * PAGE, 0]];
    for (let i = 0; i < 4; i++) base.push([1000 + i * 3000, 1, 1, 'write', BASE + i * PAGE]);
    const withMigrate: Row[] = [...base, [50_000, 1, 1, 'migrate', BASE, 4 * PAGE, 1]];
    for (const [policy, extra] of [['linux-2.6.34-rc', 1], ['linux-6.12', 4]] as const) {
      const [a] = run(base, [policy]);
      const [b] = run(withMigrate, [policy]);
      expect(b!.summary.migrate_ok).toBe(4);
      expect(acq(b!, 'mmap_lock', 'rwsem:R') - acq(a!, 'mmap_lock', 'rwsem:R')).toBe(extra);
    }
  });

  it('a page mapped by a forked child migrates in both address spaces (rmap walk across mms)', () => {
    const [r] = run([
      [0, 1, 1, 'mmap', BASE, PAGE, 0],
      [1000, 1, 1, 'write', BASE],
      [5000, 1, 1, 'fork', 0, 0, 2],
      [100_000, 2, 2, 'read', BASE],
      [200_000, 1, 1, 'migrate', BASE, PAGE, 1],
      [300_000, 2, 2, 'read', BASE],
      [300_000, 1, 1, 'read', BASE],
    ]);
    expect(r!.summary.migrate_ok).toBe(1);
    expect(r!.summary.refcount_failures).toBe(0);
    // Both PTEs point to the new folio: neither read faults, both see the parent's write.
    expect(paths(r!, 'read')).toEqual({ hit: 3 });
    expect(r!.summary.integrity_violations).toBe(0);
    expect(r!.summary.stale_migration_entries).toBe(0);
  });
});

describe('folio_expected_refs()', () => {
  it('a swap-cache folio migrates: the cache\'s reference is expected (1 + nr_pages) and moves to the new folio', () => {
    // 2.6.34's swap-in keeps the folio in the swap cache; the migration must expect that reference.
    const [r] = run([
      [0, 1, 1, 'mmap', BASE, 2 * PAGE, 0],
      [1000, 1, 1, 'write', BASE],
      [10_000, 1, 1, 'swapout', BASE, PAGE],
      [100_000, 1, 1, 'read', BASE],
      [200_000, 1, 1, 'migrate', BASE, PAGE, 1],
      [300_000, 1, 1, 'read', BASE],
      [310_000, 1, 1, 'write', BASE],
      [400_000, 1, 1, 'swapout', BASE, PAGE],
      [500_000, 1, 1, 'read', BASE],
    ], ['linux-2.6.34-rc']);
    expect(r!.summary.migrate_ok).toBe(1);
    expect(r!.summary.refcount_failures).toBe(0);
    expect(paths(r!, 'read')).toEqual({ hit: 1, swapin: 2 });
    expect(r!.summary.integrity_violations).toBe(0);
  });
});

describe('page-cache folios (shmem)', () => {
  it('a MAP_SHARED anonymous page migrates in every process mapping it (rmap_walk_file), the cache reference expected', () => {
    const [r] = run([
      [0, 1, 1, 'mmap', BASE, PAGE, 1],
      [1000, 1, 1, 'write', BASE],
      [5000, 1, 1, 'fork', 0, 0, 2],
      [100_000, 2, 2, 'read', BASE],
      [200_000, 1, 1, 'migrate', BASE, PAGE, 1],
      [300_000, 2, 2, 'read', BASE],
      [300_000, 1, 1, 'read', BASE],
      [310_000, 1, 1, 'migrate', BASE, PAGE, 1],
    ]);
    expect(r!.summary.migrate_ok).toBe(1);
    expect(r!.summary.refcount_failures).toBe(0);
    expect(r!.counters.migrate_same_node).toBe(1);
    // The child's first read faults the shared page in; after the migration both PTEs map the
    // new folio, so both reads hit and see the parent's write.
    expect(paths(r!, 'read').hit).toBe(2);
    expect(r!.summary.integrity_violations).toBe(0);
    expect(r!.summary.stale_migration_entries).toBe(0);
  });
});

describe('compaction', () => {
  it('moves pages within their node without taking mmap_lock', () => {
    const base: Row[] = [[0, 1, 1, 'mmap', BASE, 8 * PAGE, 0]];
    for (let i = 0; i < 8; i++) base.push([1000 + i * 3000, 1, 1, 'write', BASE + i * PAGE]);
    base.push([100_000, 1, 1, 'read', BASE + 3 * PAGE]);
    const compacted: Row[] = [...base, [50_000, 1, 1, 'compact', BASE, 8 * PAGE, 0], [60_000, 1, 1, 'migrate', BASE, 8 * PAGE, 0]];
    compacted.sort((a, b) => a[0] - b[0]);
    const migrated: Row[] = [...base, [60_000, 1, 1, 'migrate', BASE, 8 * PAGE, 0]];
    const [a] = run(migrated.sort((x, y) => x[0] - y[0]));
    const [b] = run(compacted);
    expect(b!.summary.migrate_ok).toBe(8);
    // Same node: the node-0 pages are still on node 0 for move_pages afterwards.
    expect(b!.counters.migrate_same_node).toBe(8);
    expect(a!.counters.migrate_same_node).toBe(8);
    expect(acq(b!, 'mmap_lock', 'rwsem:R')).toBe(acq(a!, 'mmap_lock', 'rwsem:R'));
    expect(acq(b!, 'mmap_lock', 'rwsem:W')).toBe(acq(a!, 'mmap_lock', 'rwsem:W'));
    expect(paths(b!, 'read')).toEqual({ hit: 1 });
    expect(b!.summary.integrity_violations).toBe(0);
  });
});

describe('migration_wait', () => {
  const variants = ['pageref-hold', 'pageref-put', 'ptl'];
  const policies = variants.map((v) => `linux-6.12+migration_wait=${v}`);
  const N = 60;

  it('with two readers: pageref-hold fails migrations on waiters\' references, pageref-put fails fewer, ptl none', () => {
    const [hold, put, ptl] = run(pingPong(N, 2), policies);
    expect(hold!.summary.refcount_failures).toBeGreaterThan(0);
    expect(hold!.summary.migrate_failed).toBeGreaterThan(0);
    expect(new Set(hold!.refcount.filter((x) => x.outcome !== 'ok').map((x) => x.holder))).toEqual(new Set(['migration-wait']));
    expect(put!.summary.refcount_failures).toBeLessThan(hold!.summary.refcount_failures);
    expect(put!.summary.migrate_failed).toBeLessThanOrEqual(hold!.summary.migrate_failed);
    expect(ptl!.summary.refcount_failures).toBe(0);
    expect(ptl!.summary.migrate_failed).toBe(0);
    expect(ptl!.summary.migrate_ok).toBe(N);
    // Readers did wait on migration entries under every variant.
    for (const r of [hold, put, ptl]) {
      expect(paths(r!, 'read')['migration-wait']).toBeGreaterThan(0);
      expect(r!.summary.integrity_violations).toBe(0);
      expect(r!.summary.deadlocks).toBe(0);
    }
  });

  it('with no readers every variant migrates every time', () => {
    for (const r of run(pingPong(N, 0), policies)) {
      expect(r.summary.migrate_ok).toBe(N);
      expect(r.summary.refcount_failures).toBe(0);
    }
  });
});

describe('selftests/mm/migration.c private_anon', () => {
  const policies = ['linux-2.6.34-rc', 'linux-6.1', 'linux-6.12'];

  it('traces/migration-selftest.csv (3 readers) passes under 6.1+ and fails under 2.6.34-rc', async () => {
    const url = new URL('../../traces/migration-selftest.csv', import.meta.url);
    const t = await loadEventTable([{ name: 'migration-selftest.csv', chunks: createReadStream(url) }]);
    const [old, v61, v612] = replay(t.columns, {
      machine: { ...DEFAULT_MACHINE },
      policies: policies.map((p) => parsePolicy(p)),
      trace: { path: 'traces/migration-selftest.csv', sha256: '-', rows: t.rows },
    }).policies;
    // "Didn't migrate N pages": a failed page after every pass.
    expect(old!.summary.migrate_failed).toBeGreaterThan(0);
    for (const r of [v61, v612]) {
      expect(r!.summary.migrate_failed).toBe(0);
      expect(r!.summary.refcount_failures).toBe(0);
      expect(r!.summary.migrate_ok).toBeGreaterThan(100);
    }
  });

  it('generated with 2 readers: fails under 2.6.34-rc only', () => {
    const [old, v61, v612] = runGenerated('migration-selftest', ['readers=2', 'iterations=200', 'map_pages=16'], policies);
    expect(old!.summary.migrate_failed).toBeGreaterThan(0);
    expect(old!.refcount.find((x) => x.outcome === 'failed')?.holder).toBe('migration-wait');
    expect(v61!.summary.migrate_failed).toBe(0);
    expect(v612!.summary.migrate_failed).toBe(0);
  });
});
