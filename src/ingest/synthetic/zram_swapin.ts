/**
 * `zram-swapin`: one task writes a large anonymous region, swaps it all out with MADV_PAGEOUT,
 * then reads it back sequentially (docs/kernel-sources.md D).
 *
 * Mirrors the swap-in benchmarks behind the swap-cache bypass for SWP_SYNCHRONOUS_IO devices:
 * 0bcac06f27d7 ("mm, swap: skip swapcache for swapin of synchronous device", 4.15; 5 GiB swap-in
 * 2.41 s -> 1.64 s) and the numbers in 13ddaf26be32 (10 GiB from zram: skip 10.93 s,
 * skip-prepare 11.16 s, swapcache 13.16 s). A replay under `--swap zram` should order the swapin
 * variants the same way: `skip` fastest, `skip-prepare-*` a little slower (no contention here, so
 * no tick waits), `swapcache` slowest; `--swap nvme` shows the asynchronous path instead.
 *
 * `threads` > 1 splits the region into contiguous slices, one per thread, each thread writing,
 * swapping out and reading back its own slice in parallel; `passes` repeats swap-out + read-back.
 */
import { Op, PAGE_SIZE } from '../schema.js';
import { anonMmapArg, mibPages, pageAddr, pagesLen, region } from './layout.js';
import { intParam } from './params.js';
import { defineScenario } from './scenario.js';
import { END, exitPhase, once, repeat, waitFor, type Phase } from './timeline.js';

const MMAP_NS = 2_000;
/** pthread_create() to the new thread's first row. */
const START_NS = 10_000;
/** From MADV_PAGEOUT returning to the read-back. */
const AFTER_SWAPOUT_NS = 5_000;
const POLL_NS = 10_000;

const params = {
  size_mib: intParam(64, 'size of the region written, swapped out and read back', { min: 1, max: 1024, unit: 'MiB' }),
  threads: intParam(1, 'threads, each owning a contiguous slice of the region (the benchmarks use one)', { min: 1, max: 1024 }),
  passes: intParam(1, 'swap-out + sequential read-back passes after the initial write', { min: 1, max: 1000 }),
  write_gap_ns: intParam(100, 'user time between two page writes (memset of the next page)', { min: 1, unit: 'ns' }),
  read_gap_ns: intParam(100, 'user time between two page reads of the read-back', { min: 1, unit: 'ns' }),
};

/** Write a region, swap it out, read it back sequentially. */
export const zramSwapin = defineScenario({
  name: 'zram-swapin',
  summary: 'one task writes a large region, swaps it out (MADV_PAGEOUT), reads it back sequentially',
  reference: '0bcac06f27d7 (swapcache skip, 4.15) and 13ddaf26be32 benchmarks on zram; docs/kernel-sources.md D',
  params,
  threadsParam: 'threads',
  check(p) {
    const pages = mibPages(p.size_mib);
    return pages < p.threads ? `threads (${p.threads}) must not exceed the region's ${pages} pages` : undefined;
  },
  build(tl, p) {
    const base = region(0);
    const pages = mibPages(p.size_mib);
    const per = Math.floor(pages / p.threads);
    const state = { done: 0 };

    // Thread w: pages [w*per, w*per + n), the last thread also takes the remainder.
    const worker = (w: number): Phase[] => {
      const first = w * per;
      const n = w === p.threads - 1 ? pages - first : per;
      const sliceBase = pageAddr(base, first);
      const phases: Phase[] = [
        repeat(n, (t, i) => {
          t.emit(Op.write, pageAddr(sliceBase, i), PAGE_SIZE, 0);
          return t.jitter(p.write_gap_ns);
        }),
      ];
      for (let pass = 0; pass < p.passes; pass++) {
        phases.push(
          once((t) => {
            t.emit(Op.swapout, sliceBase, pagesLen(n), 0);
            return AFTER_SWAPOUT_NS;
          }),
          repeat(n, (t, i) => {
            t.emit(Op.read, pageAddr(sliceBase, i), PAGE_SIZE, 0);
            return t.jitter(p.read_gap_ns);
          }),
        );
      }
      phases.push(
        once(() => {
          state.done++;
          return END;
        }),
      );
      return phases;
    };

    tl.process(0, () => [
      once((t) => {
        t.emit(Op.mmap, base, pagesLen(pages), anonMmapArg());
        for (let w = 1; w < p.threads; w++) t.spawnThread(START_NS, () => [...worker(w), exitPhase()]);
        return MMAP_NS;
      }),
      ...worker(0),
      waitFor(() => state.done === p.threads, POLL_NS),
      once((t) => {
        t.emit(Op.munmap, base, pagesLen(pages), 0);
        return POLL_NS;
      }),
      exitPhase(),
    ]);
  },
});
