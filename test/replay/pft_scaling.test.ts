/**
 * pft-threads scaling of the fault lock (issue 4; docs/kernel-sources.md A; docs/calibration.md, section
 * "pft-threads"). Published, per-VMA locks against the mmap_lock baseline, faults/s: 1 thread
 * -0.5%, 4 threads -9.5%, 48 threads +16.4%, 128 threads +21.9%.
 *
 * What the emulation shows, and what these tests hold it to: the per-VMA lock is slower at 1 and
 * 4 threads (its extra vma_start_read() checks), but it does NOT gain at 48 and 128 threads. In
 * pft every thread faults its piece of ONE mapping (pft.c), so both variants serialise on one
 * shared rwsem count word, two atomics per fault (down_read_trylock, up_read): mmap_lock's under
 * `mmap`, the VMA's vm_lock under `vma-retry`. Both saturate at the same rate, one fault per two
 * cache-line transfers. The published gain needs a mechanism the emulation does not have (and no
 * source pins down for 6.12); docs/calibration.md gives the evidence. When such a mechanism is
 * modelled, the last test is the one to turn into the published sign.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PFT_BASELINE, PFT_VMA_LOCK, PUBLISHED_PFT, runPft, type PftRun } from '../../bench/lib/pft_scaling.js';
import { DEFAULT_COSTS } from '../../src/replay/costs.js';

/** Pages per thread: each thread's piece fills one PTE table of its own, as in the benchmark. */
const PAGES = 512;
const COUNTS = [1, 4, 48, 128] as const;
const runs = new Map<number, { mmap: PftRun; vma: PftRun }>();

/** Per-VMA lock faults/s against mmap_lock's, percent. */
const ratio = (n: number): number => {
  const r = runs.get(n)!;
  return (r.vma.faultsPerSec / r.mmap.faultsPerSec - 1) * 100;
};

beforeAll(() => {
  for (const n of COUNTS) {
    const [mmap, vma] = runPft(n, PAGES, [PFT_BASELINE, PFT_VMA_LOCK]);
    runs.set(n, { mmap: mmap!, vma: vma! });
  }
});

describe('pft-threads: mmap_lock against the per-VMA lock (fault_lock=mmap vs vma-retry)', () => {
  it('every thread faults every page of its piece of the one shared mapping once', () => {
    for (const n of COUNTS) {
      const { mmap, vma } = runs.get(n)!;
      expect(mmap.faults).toBe(n * PAGES);
      expect(vma.faults).toBe(n * PAGES);
    }
  });

  it('mmap takes mmap_lock for every fault; vma-retry takes the VMA lock and mmap_lock only for the anon_vma retry', () => {
    const { mmap, vma } = runs.get(48)!;
    expect(mmap.reads.mmap_lock!.acquisitions).toBe(48 * PAGES);
    expect(mmap.reads.vma_lock).toBeUndefined();
    // The first faults find no anon_vma yet: vmf_anon_prepare() sends them to mmap_lock.
    expect(vma.reads.mmap_lock!.acquisitions).toBeLessThan(48);
    expect(vma.reads.vma_lock!.acquisitions).toBe(48 * PAGES);
  });

  it('the per-VMA lock is slower at 1 and 4 threads (published -0.5%, -9.5%)', () => {
    expect(ratio(1)).toBeLessThan(0);
    expect(ratio(4)).toBeLessThan(0);
    // 1 thread: vma_start_read is calibrated to the published -0.5%.
    expect(ratio(1)).toBeGreaterThan(-1);
    expect(Math.abs(ratio(1) - PUBLISHED_PFT[1]!)).toBeLessThan(0.2);
    // 4 threads: only the same extra checks (-0.5%); the published -9.5% is a contention
    // effect the emulation does not reproduce (docs/calibration.md).
    expect(ratio(4)).toBeGreaterThan(-1.5);
  });

  it('at 48 and 128 threads both saturate on their one shared rwsem line: two transfers per fault', () => {
    const transferNs = DEFAULT_COSTS.cacheline_transfer.ns;
    const bound = 1e9 / (2 * transferNs);
    for (const n of [48, 128]) {
      const { mmap, vma } = runs.get(n)!;
      expect(mmap.faultsPerSec / bound).toBeCloseTo(1, 2);
      expect(vma.faultsPerSec / bound).toBeCloseTo(1, 2);
    }
  });

  it('so the per-VMA lock does not gain at 48 and 128 threads (published +16.4%, +21.9%: not reproduced)', () => {
    // What the emulation shows, not the published sign: no gain, no loss beyond 1%.
    for (const n of [48, 128]) {
      expect(Math.abs(ratio(n))).toBeLessThan(1);
      expect(ratio(n)).toBeLessThan(PUBLISHED_PFT[n]! / 2);
    }
  });
});
