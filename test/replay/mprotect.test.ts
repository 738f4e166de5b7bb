/**
 * mprotect (mm/mprotect.c): VMA split and vma_merge boundary moves through vma_adjust,
 * change_pte_range write-protecting or making PTEs writable with a TLB flush, VMA write locks;
 * and munmap's split through the same vma_adjust.
 */
import { describe, expect, it } from 'vitest';
import { BASE, PAGE, paths, run, type Row } from './harness.js';

const READ = 1;
const RW = 3;

/** Map 8 pages and write each (thread 1), starting the trace. */
function filled(): Row[] {
  const rows: Row[] = [[0, 1, 1, 'mmap', BASE, 8 * PAGE, 0]];
  for (let i = 0; i < 8; i++) rows.push([1000 + i * 3000, 1, 1, 'write', BASE + i * PAGE]);
  return rows;
}

describe('mprotect', () => {
  it('read-only on the upper half splits the VMA and write-protects its PTEs', () => {
    const [r] = run([
      ...filled(),
      [50_000, 1, 1, 'mprotect', BASE + 4 * PAGE, 4 * PAGE, READ],
      [60_000, 1, 1, 'write', BASE + PAGE],
      [61_000, 1, 1, 'read', BASE + 5 * PAGE],
    ]);
    expect(r!.counters.vma_splits).toBe(1);
    expect(r!.counters.vma_adjust_calls).toBe(1);
    // The lower half keeps its writable PTEs; the upper half is still readable.
    expect(paths(r!, 'write')).toEqual({ anon: 8, hit: 1 });
    expect(paths(r!, 'read')).toEqual({ hit: 1 });
    expect(r!.counters.tlb_shootdowns ?? 0).toBe(0); // one CPU caches nothing else to shoot down
  });

  it('moves the boundary between two anonymous VMAs both ways through vma_merge (cases 4 and 5)', () => {
    const rows: Row[] = [
      ...filled(),
      [50_000, 1, 1, 'mprotect', BASE + 4 * PAGE, 4 * PAGE, READ],
      // Case 4: [2, 4) joins the read-only VMA: A shrinks, B's start and pgoff move down.
      [60_000, 1, 1, 'mprotect', BASE + 2 * PAGE, 2 * PAGE, READ],
      [70_000, 1, 1, 'read', BASE + 3 * PAGE],
      // Case 5: back to read-write: A grows, B's start and pgoff move up.
      [80_000, 1, 1, 'mprotect', BASE + 2 * PAGE, 2 * PAGE, RW],
      [90_000, 1, 1, 'write', BASE + 2 * PAGE],
      [91_000, 1, 1, 'write', BASE + 1 * PAGE],
    ];
    const [r612, r510] = run(rows, ['linux-6.12', 'linux-5.10']);
    for (const r of [r612, r510]) {
      // One split, then two merges that only move the boundary: three vma_adjust calls.
      expect(r!.counters.vma_splits).toBe(1);
      expect(r!.counters.vma_merges).toBe(2);
      expect(r!.counters.vma_adjust_calls).toBe(3);
      expect(paths(r!, 'read')).toEqual({ hit: 1 });
      expect(r!.summary.integrity_violations).toBe(0);
    }
    // 6.12 (can_change_pte_writable: an exclusive anonymous page) makes page 2 writable at
    // mprotect time, so the write hits; 5.10 leaves the PTE read-only: a write fault reuses it.
    expect(paths(r612!, 'write')).toEqual({ anon: 8, hit: 2 });
    expect(paths(r510!, 'write')).toEqual({ anon: 8, hit: 1, 'wp-reuse': 1 });
  });

  it('read-only then read-write again on the lower half: the lower VMA grows over the upper one with the new flags (case 8)', () => {
    const [r] = run([
      ...filled(),
      [50_000, 1, 1, 'mprotect', BASE, 4 * PAGE, READ],
      [60_000, 1, 1, 'mprotect', BASE, 4 * PAGE, RW],
      [70_000, 1, 1, 'discard', BASE, PAGE],
      [80_000, 1, 1, 'write', BASE],
      [81_000, 1, 1, 'write', BASE + 6 * PAGE],
    ], ['linux-6.12']);
    expect(r!.counters.vma_splits).toBe(1);
    expect(r!.counters.vma_merges).toBe(1);
    // The merged VMA is writable: a fresh fault maps a writable page, the other write hits.
    expect(paths(r!, 'write')).toEqual({ anon: 9, hit: 1 });
  });

  it('write-locks the VMA it changes: a VMA-locked fault during mprotect falls back to mmap_lock', () => {
    const rows: Row[] = [...filled(), [50_000, 1, 1, 'mprotect', BASE + 4 * PAGE, 4 * PAGE, READ]];
    // A second thread faults on the lower VMA while mprotect runs (first touch of a read).
    rows.push([51_500, 1, 2, 'read', BASE + 7 * PAGE + 8]);
    rows.push([40_000, 1, 2, 'discard', BASE + 7 * PAGE, PAGE]);
    rows.sort((a, b) => a[0] - b[0]);
    const [r] = run(rows, ['linux-6.12']);
    expect(r!.counters.vma_lock_fallbacks).toBeGreaterThan(0);
    expect(r!.summary.mmap_lock_wait_cycles).toBeGreaterThan(0);
  });

  it('stops at a hole, as -ENOMEM', () => {
    const [r] = run([
      [0, 1, 1, 'mmap', BASE, 2 * PAGE, 0],
      [0, 1, 1, 'mmap', BASE + 4 * PAGE, 2 * PAGE, 0],
      [1000, 1, 1, 'mprotect', BASE, 6 * PAGE, READ],
    ]);
    expect(r!.counters.mprotect_enomem).toBe(1);
  });

  it('a writable migration entry becomes a readable one (the restored PTE is read-only)', () => {
    // Thread 2 write-protects the page while thread 1 migrates it; thread 1 writes afterwards.
    const rows: Row[] = [
      [0, 1, 1, 'mmap', BASE, 2 * PAGE, 0],
      [1000, 1, 1, 'write', BASE],
      [1000, 1, 1, 'write', BASE + PAGE],
      [20_000, 1, 1, 'migrate', BASE, PAGE, 1],
      [20_000, 1, 2, 'mprotect', BASE, 2 * PAGE, READ],
      [40_000, 1, 1, 'read', BASE],
    ];
    const [r] = run(rows, ['linux-6.12']);
    expect(r!.summary.migrate_ok).toBe(1);
    expect(paths(r!, 'read')).toEqual({ hit: 1 });
    expect(r!.summary.stale_migration_entries).toBe(0);
  });
});

describe('munmap through vma_adjust', () => {
  it('unmapping the middle of a VMA splits it twice, store by store', () => {
    const [r] = run([
      ...filled(),
      [50_000, 1, 1, 'munmap', BASE + 3 * PAGE, 2 * PAGE],
      [60_000, 1, 1, 'read', BASE + 2 * PAGE],
      [60_000, 1, 1, 'read', BASE + 5 * PAGE],
      [60_000, 1, 1, 'read', BASE + 3 * PAGE],
    ]);
    expect(r!.counters.vma_splits).toBe(2);
    expect(r!.counters.vma_adjust_calls).toBe(2);
    expect(paths(r!, 'read')).toEqual({ hit: 2, sigsegv: 1 });
    expect(r!.summary.integrity_violations).toBe(0);
  });
});
