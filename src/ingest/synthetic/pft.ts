/**
 * `pft`: N threads fault fresh anonymous memory as fast as they can, each in its own mapping,
 * page by page (KERNEL.md A).
 *
 * Mirrors pft-threads (the page fault test in mmtests, after Christoph Lameter's pft), the
 * benchmark quoted for per-VMA locks (Suren Baghdasaryan's series, Ice Lake 2x32C, faults/s
 * against the mmap_lock baseline: 1 thread -0.5%, 4 threads -9.5%, 48 threads +16.4%, 128
 * threads +21.9%). Every write is a first touch (`do_anonymous_page`); each iteration's mmap and
 * munmap take `mmap_lock` for write. A replay should show fault throughput per `fault_lock`
 * variant as `--threads` grows: the gain at high thread counts comes from cache-line contention
 * on `mmap_lock`, the loss at 4 from the extra VMA-lock work.
 */
import { Op, PAGE_SIZE } from '../schema.js';
import { anonMmapArg, MAX_REGION_PAGES, pageAddr, pagesLen, region } from './layout.js';
import { intParam } from './params.js';
import { defineScenario } from './scenario.js';
import { exitPhase, once, repeat } from './timeline.js';

/** Gap left between two threads' mappings (keeps them from merging into one VMA). */
const GUARD_PAGES = 512;
/** pthread_create() calls this far apart; then a barrier releases every thread at once. */
const SPAWN_NS = 2_000;
/** Spread of the threads' first touch after the barrier. */
const RELEASE_SPREAD_NS = 200;
const MMAP_NS = 1_000;

const params = {
  threads: intParam(4, 'threads, each faulting its own mapping', { min: 1, max: 4096 }),
  pages: intParam(1024, 'pages each thread maps and touches per iteration', { min: 1, max: MAX_REGION_PAGES, unit: 'pages' }),
  iterations: intParam(1, 'mmap + touch every page + munmap cycles per thread', { min: 1, max: 10_000_000 }),
  touch_gap_ns: intParam(50, 'user time between two first-touch writes of one thread', { min: 1, unit: 'ns' }),
};

/** pft-threads: per-thread mmap, first-touch write of every page, munmap. */
export const pft = defineScenario({
  name: 'pft',
  summary: 'N threads each mmap fresh anonymous memory and write it page by page (pft-threads)',
  reference: 'mmtests pft-threads; per-VMA lock numbers in KERNEL.md A',
  params,
  threadsParam: 'threads',
  check(p) {
    // Mappings are packed from region 0 up; keep them inside the 2^47 user address space.
    const span = p.threads * (p.pages + GUARD_PAGES) * PAGE_SIZE;
    return region(0) + span > 2 ** 47 ? `threads * pages is too large for the user address space (${span} bytes)` : undefined;
  },
  build(tl, p) {
    const stride = pagesLen(p.pages + GUARD_PAGES);
    const perIter = p.pages + 2;
    // Thread w's program: [mmap, write x pages, munmap] x iterations, exit.
    const program = (w: number) => {
      const base = region(0) + w * stride;
      const len = pagesLen(p.pages);
      return [
        repeat(p.iterations * perIter, (t, i) => {
          const j = i % perIter;
          if (j === 0) {
            t.emit(Op.mmap, base, len, anonMmapArg());
            return MMAP_NS;
          }
          if (j <= p.pages) {
            t.emit(Op.write, pageAddr(base, j - 1), 8, 0);
            return t.jitter(p.touch_gap_ns);
          }
          t.emit(Op.munmap, base, len, 0);
          return MMAP_NS;
        }),
        exitPhase(),
      ];
    };
    // Created one after another, released together (pft starts timing after every thread is up).
    const go = SPAWN_NS * p.threads;
    const release = once((t) => go + t.rng.int(RELEASE_SPREAD_NS) - t.ts);
    tl.process(0, () => [
      once((t) => {
        for (let w = 1; w < p.threads; w++) t.spawnThread(SPAWN_NS * w, () => [release, ...program(w)]);
        return 0;
      }),
      release,
      ...program(0),
    ]);
  },
});
