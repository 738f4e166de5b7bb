/**
 * fork() and COW (copy_page_range, do_wp_page) and their interaction with DMA pins: the
 * wp_reuse / fork_cow axes (docs/kernel-sources.md C). Rows are ordered across processes by gaps of 100 us
 * (fork itself costs ~50 us); each test names the docs/kernel-sources.md C case it reproduces.
 */
import { describe, expect, it } from 'vitest';
import { FOLL_LONGTERM, FOLL_WRITE } from '../../src/ingest/schema.js';
import { PTE_WRITE, pteIndex } from '../../src/replay/mm/pagetable.js';
import { BASE, PAGE, paths, run, type Row } from './harness.js';
import { integrity, runKernel } from './cow_harness.js';

/** Phase n of a scenario, in trace ns. */
const T = (n: number): number => n * 100_000;
const PIN_RW = FOLL_WRITE | FOLL_LONGTERM;

describe('fork: copy_page_range shares anonymous pages COW', () => {
  it('a write after fork copies in the writer only; the other process keeps the old data', () => {
    const rows: Row[] = [
      [T(0), 1, 1, 'mmap', BASE, PAGE, 0],
      [T(1), 1, 1, 'write', BASE],
      [T(2), 1, 1, 'fork', 0, 0, 2],
      [T(4), 2, 2, 'read', BASE],
      [T(5), 1, 1, 'write', BASE],
      [T(6), 2, 2, 'read', BASE],
      [T(7), 2, 2, 'write', BASE],
    ];
    for (const r of run(rows, ['linux-2.6.34-rc', 'linux-5.10', 'linux-6.12'])) {
      // The parent's write copies; the child's later write finds the old page its own and reuses it.
      expect(paths(r, 'write')).toEqual({ anon: 1, cow: 1, 'wp-reuse': 1 });
      expect(paths(r, 'read')).toEqual({ hit: 2 });
      expect(r.summary.cow_copies).toBe(1);
      expect(r.summary.fork_copies).toBe(0);
      expect(r.summary.integrity_violations).toBe(0);
    }
  });

  it('fork write-protects both PTEs and shares the folio (refcount and mapcount 2)', () => {
    const k = runKernel([
      [T(0), 1, 1, 'mmap', BASE, 2 * PAGE, 0],
      [T(1), 1, 1, 'write', BASE, 2 * PAGE],
      [T(2), 1, 1, 'fork', 0, 0, 2],
    ]);
    const vpn = BASE / PAGE;
    const parent = k.mms.get(1)!.pt.lookup(vpn)!;
    const child = k.mms.get(2)!.pt.lookup(vpn)!;
    const i = pteIndex(vpn);
    expect(parent.folioAt(i)).toBe(child.folioAt(i));
    expect(parent.bits[i]! & PTE_WRITE).toBe(0);
    expect(child.bits[i]! & PTE_WRITE).toBe(0);
    expect(parent.folioAt(i)!.refcount).toBe(2);
    expect(parent.folioAt(i)!.mapcount).toBe(2);
    // anon_vma_fork: the child's VMA is on the parent's anon_vma and has its own, same root.
    const pv = k.mms.get(1)!.vmas[0]!;
    const cv = k.mms.get(2)!.vmas[0]!;
    expect(pv.anonVma!.chain).toContain(cv);
    expect(cv.anonVma!.root).toBe(pv.anonVma!.root);
  });

  it('the child exiting drops its references: the parent then reuses in place', () => {
    const [r] = run([
      [T(0), 1, 1, 'mmap', BASE, PAGE, 0],
      [T(1), 1, 1, 'write', BASE],
      [T(2), 1, 1, 'fork', 0, 0, 2],
      [T(4), 2, 2, 'exit', 0],
      [T(5), 1, 1, 'write', BASE],
    ]);
    expect(paths(r!, 'write')).toEqual({ anon: 1, 'wp-reuse': 1 });
    expect(r!.summary.cow_copies).toBe(0);
  });
});

/**
 * docs/kernel-sources.md C, the RDMA report (lore 20200914143829.GA1424636@nvidia.com): pin a buffer
 * (FOLL_WRITE | FOLL_LONGTERM), fork, the parent writes, the device writes, the parent reads.
 */
function rdmaRows(childExitsFirst: boolean): Row[] {
  return [
    [T(0), 1, 1, 'mmap', BASE, PAGE, 0],
    [T(1), 1, 1, 'write', BASE],
    [T(2), 1, 1, 'pin', BASE, PAGE, PIN_RW],
    [T(3), 1, 1, 'fork', 0, 0, 2],
    [childExitsFirst ? T(5) : T(20), 2, 2, 'exit', 0],
    [T(10), 1, 1, 'write', BASE],
    [T(11), 1, 1, 'dma_write', BASE, PAGE],
    [T(12), 1, 1, 'read', BASE],
    [T(13), 1, 1, 'dma_read', BASE, PAGE],
  ];
}

describe('pinned buffer across fork (wp_reuse x fork_cow, docs/kernel-sources.md C)', () => {
  it('refcount reuse with fork_cow=share loses the device write in the parent, child exited or not (5.9 RDMA report)', () => {
    for (const exitFirst of [true, false]) {
      const [r] = run(rdmaRows(exitFirst), ['linux-5.10+fork_cow=share']);
      // The parent's write fault copies the pinned page (page_count != 1); the device keeps
      // writing the old one, so the CPU read sees the parent's own older data.
      expect(integrity(r!)).toEqual({ lost_write: 1 });
      expect(r!.summary.cow_copies).toBe(1);
      // With the child gone only the pin explains the copy; with it alive the mapcount does.
      expect(r!.refcount).toContainEqual({ path: 'wp_reuse', outcome: 'copied', holder: exitFirst ? 'gup-pin' : '-', count: 1 });
    }
  });

  it('mapcount reuse loses it with the child alive and keeps it with the child gone (5.8; why MADV_DONTFORK existed)', () => {
    const [alive] = run(rdmaRows(false), ['linux-5.8']);
    expect(integrity(alive!)).toEqual({ lost_write: 1 });
    const [gone] = run(rdmaRows(true), ['linux-5.8']);
    expect(gone!.summary.integrity_violations).toBe(0);
    expect(paths(gone!, 'write')).toEqual({ anon: 1, 'wp-reuse': 1 });
  });

  it('early-cow copies the pinned page for the child at fork, once, and keeps the device writes (70e806e4e645)', () => {
    for (const policy of ['linux-5.10', 'linux-6.12']) {
      for (const exitFirst of [true, false]) {
        const [r] = run(rdmaRows(exitFirst), [policy]);
        expect(r!.summary.integrity_violations).toBe(0);
        expect(r!.summary.fork_copies).toBe(1);
        expect(r!.summary.cow_copies).toBe(0);
        expect(r!.refcount).toContainEqual({ path: 'fork_copy', outcome: 'copied', holder: 'gup-pin', count: 1 });
        // The parent kept a writable PTE on its pinned page: its write did not fault.
        expect(paths(r!, 'write')).toEqual({ anon: 1, hit: 1 });
      }
    }
  });

  it('early-cow copies only the pinned pages, each once, preallocating outside the PTLs', () => {
    const [r] = run([
      [T(0), 1, 1, 'mmap', BASE, 8 * PAGE, 0],
      [T(1), 1, 1, 'write', BASE, 8 * PAGE],
      [T(2), 1, 1, 'pin', BASE + 2 * PAGE, 3 * PAGE, PIN_RW],
      [T(3), 1, 1, 'fork', 0, 0, 2],
      [T(10), 2, 2, 'read', BASE, 8 * PAGE],
    ], ['linux-6.12']);
    expect(r!.summary.fork_copies).toBe(3);
    // copy_present_pte returned -EAGAIN once per copied page (one preallocated page at a time).
    expect(r!.counters.fork_prealloc_restarts).toBe(3);
    expect(r!.summary.integrity_violations).toBe(0);
  });

  it('a process that never pinned copies nothing under early-cow; early-cow-any copies pages whose refcount reaches 1024', () => {
    // 1024 FOLL_GET references on page 0 (no FOLL_PIN, so no MMF_HAS_PINNED), one on page 1.
    const rows: Row[] = [
      [T(0), 1, 1, 'mmap', BASE, 2 * PAGE, 0],
      [T(1), 1, 1, 'write', BASE, 2 * PAGE],
      ...Array.from({ length: 1024 }, (_, j): Row => [T(2) + j, 1, 1, 'gup', BASE, PAGE, 0]),
      [T(3), 1, 1, 'gup', BASE + PAGE, PAGE, 0],
      [T(4), 1, 1, 'fork', 0, 0, 2],
    ];
    const [early, any] = run(rows, ['linux-6.12', 'linux-6.12+fork_cow=early-cow-any']);
    expect(early!.summary.fork_copies).toBe(0);
    expect(any!.summary.fork_copies).toBe(1);
    // A false positive of folio_maybe_dma_pinned: the holder is plain gup references.
    expect(any!.refcount).toContainEqual({ path: 'fork_copy', outcome: 'copied', holder: 'gup', count: 1 });
  });

  it('fork holds the parent\'s mmap_lock for write while copying and flushes its TLB once', () => {
    const pages = 2048;
    const [r] = run([
      [0, 1, 1, 'mmap', BASE, pages * PAGE, 0],
      [1000, 1, 1, 'write', BASE, pages * PAGE],
      [20_000_000, 1, 1, 'fork', 0, 0, 2],
      // ~65 us later: fork_base (50 us) is over and copy_pte_range (>= 40 us here) runs.
      [20_065_000, 1, 3, 'write', BASE],
    ], ['linux-6.12']);
    // The second thread's write finds its PTE write-protected; its fault waits for the fork
    // (VMA write-locked, then mmap_lock) and copies afterwards.
    expect(r!.summary.mmap_lock_wait_cycles).toBeGreaterThan(0);
    expect(paths(r!, 'write').cow).toBe(1);
    // mmap_lock for write: mmap, then fork's parent and child. Shootdowns: fork's flush_tlb_mm
    // (thread 3's CPU), then the COW's ptep_clear_flush (thread 1's CPU still caches the mm).
    expect(r!.locks.find((l) => l.lock === 'mmap_lock' && l.type === 'rwsem:W')!.acquisitions).toBe(3);
    expect(r!.counters.tlb_shootdowns).toBe(2);
    expect(r!.summary.integrity_violations).toBe(0);
  });
});

describe('fork with swapped-out pages', () => {
  it('fork duplicates swap entries; whoever swaps in and writes first copies while the other still uses the slot', () => {
    const rows: Row[] = [
      [T(0), 1, 1, 'mmap', BASE, PAGE, 0],
      [T(1), 1, 1, 'write', BASE],
      [T(2), 1, 1, 'swapout', BASE, PAGE, 0],
      [T(3), 1, 1, 'fork', 0, 0, 2],
      [T(5), 1, 1, 'write', BASE],
      [T(6), 2, 2, 'read', BASE],
    ];
    for (const r of run(rows, ['linux-2.6.34-rc', 'linux-5.8', 'linux-5.10', 'linux-6.12'])) {
      // The parent's swap-in finds the slot still referenced by the child's swap PTE: no reuse
      // (reuse_swap_page counts it; folio_free_swap fails; 5.9-5.17 never reuse a swap-cache page).
      expect(r.summary.cow_copies).toBe(1);
      expect(r.summary.integrity_violations).toBe(0);
    }
  });
});
