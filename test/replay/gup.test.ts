/**
 * GUP (pin_user_pages / get_user_pages and their release) and DMA through the references, and
 * the gup_cow axis (docs/kernel-sources.md C). Rows are ordered across processes by gaps of 100 us.
 */
import { describe, expect, it } from 'vitest';
import { FOLL_LONGTERM, FOLL_WRITE } from '../../src/ingest/schema.js';
import { GUP_PIN_COUNTING_BIAS, PG_ANON_EXCLUSIVE } from '../../src/replay/mm/folio.js';
import { PTE_NONE, PTE_WRITE, pteIndex } from '../../src/replay/mm/pagetable.js';
import { BASE, PAGE, paths, run, type Row } from './harness.js';
import { integrity, runKernel } from './cow_harness.js';

const T = (n: number): number => n * 100_000;
const PIN_RW = FOLL_WRITE | FOLL_LONGTERM;
const PIN_RO = FOLL_LONGTERM;
const VPN = BASE / PAGE;

describe('pin_user_pages / get_user_pages', () => {
  it('a pin faults the page in, adds GUP_PIN_COUNTING_BIAS and sets has_pinned for good', () => {
    const k = runKernel([
      [T(0), 1, 1, 'mmap', BASE, 2 * PAGE, 0],
      [T(1), 1, 1, 'pin', BASE, 2 * PAGE, PIN_RW],
      [T(2), 1, 1, 'unpin', BASE + PAGE, PAGE, PIN_RW],
    ]);
    const mm = k.mms.get(1)!;
    const t = mm.pt.lookup(VPN)!;
    expect(t.folioAt(pteIndex(VPN))!.refcount).toBe(1 + GUP_PIN_COUNTING_BIAS);
    expect(t.folioAt(pteIndex(VPN))!.pinCount).toBe(1);
    // The second page was unpinned: back to its mapping's reference.
    expect(t.folioAt(pteIndex(VPN + 1))!.refcount).toBe(1);
    expect(mm.hasPinned).toBe(true);
    expect(k.stats.counters.get('gup_faults')).toBe(2);
    // GUP faults are not `faults` (no user registers: perf's page-faults does not count them).
    expect(k.stats.summary.faults).toBe(0);
  });

  it('a gup reference adds one and no has_pinned; gup_put drops it; an unmatched put is counted', () => {
    const k = runKernel([
      [T(0), 1, 1, 'mmap', BASE, PAGE, 0],
      [T(1), 1, 1, 'write', BASE],
      [T(2), 1, 1, 'gup', BASE, PAGE, 0],
      [T(3), 1, 1, 'gup', BASE, PAGE, 0],
      [T(4), 1, 1, 'gup_put', BASE, PAGE, 0],
      [T(5), 1, 1, 'unpin', BASE, PAGE, 0],
    ]);
    const mm = k.mms.get(1)!;
    const f = mm.pt.lookup(VPN)!.folioAt(pteIndex(VPN))!;
    expect(f.refcount).toBe(2);
    expect(f.gupCount).toBe(1);
    expect(mm.hasPinned).toBe(false);
    expect(k.stats.counters.get('unpin_without_pin')).toBe(1);
  });

  it('GUP-fast takes present, usable pages without mmap_lock; the rest goes the slow way', () => {
    const [r] = run([
      [T(0), 1, 1, 'mmap', BASE, 4 * PAGE, 0],
      [T(1), 1, 1, 'write', BASE, 2 * PAGE],
      [T(2), 1, 1, 'pin', BASE, 2 * PAGE, PIN_RW],
      [T(3), 1, 1, 'pin', BASE + 2 * PAGE, 2 * PAGE, PIN_RW],
    ]);
    const readLocks = r!.locks.find((l) => l.lock === 'mmap_lock' && l.type === 'rwsem:R')?.acquisitions ?? 0;
    // Only the second pin (unpopulated pages) took mmap_lock for read (plus the first write
    // fault's anon_vma retry).
    expect(readLocks).toBe(2);
    expect(r!.counters.gup_faults).toBe(2);
  });

  it('munmap of a pinned page keeps the folio alive until unpin, and DMA after munmap still works', () => {
    const rows: Row[] = [
      [T(0), 1, 1, 'mmap', BASE, PAGE, 0],
      [T(1), 1, 1, 'write', BASE],
      [T(2), 1, 1, 'pin', BASE, PAGE, PIN_RW],
      [T(3), 1, 1, 'munmap', BASE, PAGE, 0],
      [T(4), 1, 1, 'dma_write', BASE, PAGE],
      [T(5), 1, 1, 'dma_read', BASE, PAGE],
    ];
    const k = runKernel(rows);
    const mm = k.mms.get(1)!;
    expect(mm.pt.lookup(VPN)!.kind[pteIndex(VPN)]).toBe(PTE_NONE);
    const f = k.gupRefs.of(mm).latest(VPN)!.folio;
    expect(f.freed).toBe(false);
    expect(f.mapcount).toBe(0);
    expect(f.refcount).toBe(GUP_PIN_COUNTING_BIAS);
    expect(k.pages.resident).toBe(1);
    expect(k.stats.summary.integrity_violations).toBe(0);
    // unpin drops the last reference: the folio is freed then.
    const k2 = runKernel([...rows, [T(6), 1, 1, 'unpin', BASE, PAGE, PIN_RW]]);
    expect(k2.pages.resident).toBe(0);
    expect(k2.stats.counters.get('gup_released_last_ref')).toBe(1);
  });

  it('DMA over pages without a reference is counted and skipped', () => {
    const [r] = run([
      [T(0), 1, 1, 'mmap', BASE, 2 * PAGE, 0],
      [T(1), 1, 1, 'pin', BASE, PAGE, PIN_RW],
      [T(2), 1, 1, 'dma_write', BASE, 2 * PAGE],
      [T(3), 1, 1, 'read', BASE, 2 * PAGE],
    ]);
    expect(r!.counters.dma_without_reference).toBe(1);
    // The device's write reached the page the process maps: the CPU read sees it.
    expect(r!.summary.integrity_violations).toBe(0);
  });

  it('references are per process: a child\'s DMA does not use the parent\'s pins', () => {
    const [r] = run([
      [T(0), 1, 1, 'mmap', BASE, PAGE, 0],
      [T(1), 1, 1, 'pin', BASE, PAGE, PIN_RW],
      [T(2), 1, 1, 'fork', 0, 0, 2],
      [T(4), 2, 2, 'dma_read', BASE, PAGE],
    ]);
    expect(r!.counters.dma_without_reference).toBe(1);
  });
});

describe('gup_cow: GUP on a COW-shared anonymous page', () => {
  /**
   * CVE-2020-29374 (docs/kernel-sources.md C, "vmsplice() + unmap in child"): the child vmsplices (gup, R/O)
   * a page it shares with the parent and unmaps it; the parent writes; the pipe (the child's
   * gup reference) is read.
   */
  const cveRows: Row[] = [
    [T(0), 1, 1, 'mmap', BASE, PAGE, 0],
    [T(1), 1, 1, 'write', BASE],
    [T(2), 1, 1, 'fork', 0, 0, 2],
    [T(4), 2, 2, 'gup', BASE, PAGE, 0],
    [T(5), 2, 2, 'munmap', BASE, PAGE, 0],
    [T(7), 1, 1, 'write', BASE],
    [T(9), 2, 2, 'dma_read', BASE, PAGE],
  ];

  it('mapcount reuse with gup_cow=none leaks the parent\'s write into the child (CVE-2020-29374)', () => {
    const [r] = run(cveRows, ['linux-5.8+gup_cow=none']);
    expect(integrity(r!)).toEqual({ dma_leak: 1 });
    // The parent reused the page in place: mapcount 1 after the child's unmap.
    expect(paths(r!, 'write')).toEqual({ anon: 1, 'wp-reuse': 1 });
  });

  it('gup_cow=break (5.8, 17839856fd58) gives the child its own copy first: no leak', () => {
    const [r] = run(cveRows, ['linux-5.8']);
    expect(r!.summary.integrity_violations).toBe(0);
    // The child's GUP broke COW (a write fault); the parent then reused the original.
    expect(r!.summary.cow_copies).toBe(1);
    expect(r!.counters.gup_faults).toBe(1);
  });

  it('refcount and PageAnonExclusive reuse copy in the parent instead: no leak', () => {
    for (const r of run(cveRows, ['linux-5.10', 'linux-6.12'])) {
      expect(r.summary.integrity_violations).toBe(0);
      expect(paths(r, 'write')).toEqual({ anon: 1, cow: 1 });
    }
  });

  it('an R/O pin of a shared page unshares it (5.19+): an exclusive read-only copy, then writes reuse it', () => {
    const k = runKernel([
      [T(0), 1, 1, 'mmap', BASE, PAGE, 0],
      [T(1), 1, 1, 'write', BASE],
      [T(2), 1, 1, 'fork', 0, 0, 2],
      [T(4), 1, 1, 'pin', BASE, PAGE, PIN_RO],
    ]);
    const t = k.mms.get(1)!.pt.lookup(VPN)!;
    const f = t.folioAt(pteIndex(VPN))!;
    expect(f).not.toBe(k.mms.get(2)!.pt.lookup(VPN)!.folioAt(pteIndex(VPN)));
    expect(f.has(PG_ANON_EXCLUSIVE)).toBe(true);
    expect(t.bits[pteIndex(VPN)]! & PTE_WRITE).toBe(0);
    expect(k.stats.counters.get('unshare_copies')).toBe(1);
    expect(k.stats.summary.cow_copies).toBe(0);
  });

  it('a write pin of a shared page breaks COW in the pinner under every policy', () => {
    const rows: Row[] = [
      [T(0), 1, 1, 'mmap', BASE, PAGE, 0],
      [T(1), 1, 1, 'write', BASE],
      [T(2), 1, 1, 'fork', 0, 0, 2],
      [T(4), 1, 1, 'pin', BASE, PAGE, PIN_RW],
      [T(5), 1, 1, 'write', BASE],
      [T(6), 1, 1, 'dma_write', BASE, PAGE],
      [T(7), 1, 1, 'read', BASE],
      [T(8), 2, 2, 'read', BASE],
    ];
    for (const r of run(rows, ['linux-2.6.34-rc', 'linux-5.8', 'linux-5.10', 'linux-6.12'])) {
      expect(r.summary.cow_copies).toBe(1);
      expect(paths(r, 'write')).toEqual({ anon: 1, hit: 1 });
      expect(r.summary.integrity_violations).toBe(0);
    }
  });
});
