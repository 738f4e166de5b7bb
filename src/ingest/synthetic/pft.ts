/**
 * `pft`: N threads fault fresh anonymous memory as fast as they can, page by page (docs/kernel-sources.md A).
 *
 * Mirrors pft-threads: mmtests' `config-workload-pft-threads` runs `pft -m SIZE -t N` (Christoph
 * Lameter's page fault test as modified by Lee Schermerhorn, github.com/gormanm/pft, pft.c). The
 * launch thread mmaps ONE private anonymous region before creating the workers
 * (`alloc_test_memory`: "one large test area => single anon_vma") and does not touch it; each
 * test thread j (the launch thread is test 0) gets the piece `j * bytes_per_test` of it
 * (`start_workers`), waits for `go`, and writes one cache line of every page of its piece
 * (`pft_loop`). So every thread faults the SAME VMA: under the per-VMA lock they share its
 * vm_lock, under `mmap_lock` they share the mm's lock ("the workers will also contend for the
 * single test task's mmap semaphore", pft.c header). This is the benchmark quoted for per-VMA
 * locks (Punit Agrawal, Ice Lake 2x32C, faults/s against the mmap_lock baseline: 1 thread
 * -0.5%, 4 threads -9.5%, 48 threads +16.4%, 128 threads +21.9%).
 *
 * `mapping=per-thread` keeps the earlier shape: each thread maps, touches and unmaps a region of
 * its own (separate VMAs, and an mmap_lock write per mmap/munmap).
 */
import { Op, PAGE_SIZE } from '../schema.js';
import { anonMmapArg, MAX_REGION_PAGES, pageAddr, pagesLen, region } from './layout.js';
import { enumParam, intParam, type ParamValues } from './params.js';
import { defineScenario } from './scenario.js';
import { exitPhase, once, repeat, waitFor, type Phase, type Timeline } from './timeline.js';

/** Gap left between two threads' mappings (keeps them from merging into one VMA). */
const GUARD_PAGES = 512;
/** pthread_create() calls this far apart; then a barrier releases every thread at once. */
const SPAWN_NS = 2_000;
/** Spread of the threads' first touch after the barrier. */
const RELEASE_SPREAD_NS = 200;
const MMAP_NS = 1_000;
/** How often the launch thread looks for finished workers (pthread_join). */
const JOIN_POLL_NS = 1_000;

const params = {
  threads: intParam(4, 'threads; each faults its own piece of the mapping', { min: 1, max: 4096 }),
  pages: intParam(1024, 'pages each thread touches per iteration', { min: 1, max: MAX_REGION_PAGES, unit: 'pages' }),
  iterations: intParam(1, 'runs of the test, each in a freshly mapped region (per-thread: mmap, touch, munmap cycles)', { min: 1, max: 10_000_000 }),
  touch_gap_ns: intParam(50, 'user time between two first-touch writes of one thread', { min: 1, unit: 'ns' }),
  mapping: enumParam(
    ['shared', 'per-thread'],
    'shared',
    'shared: one region mapped by the launch thread, a piece per thread (pft.c); per-thread: each thread maps and unmaps its own region',
  ),
};
type PftParams = ParamValues<typeof params>;

/** pft-threads: one shared anonymous region, a piece per thread, first-touch write of every page. */
export const pft = defineScenario({
  name: 'pft',
  summary: 'N threads write fresh anonymous memory page by page, each its piece of one mapping (pft-threads)',
  reference: 'mmtests config-workload-pft-threads (pft -m SIZE -t N, gormanm/pft pft.c); per-VMA lock numbers in docs/kernel-sources.md A',
  params,
  threadsParam: 'threads',
  check(p) {
    const span = p.mapping === 'shared' ? p.iterations * (pagesLen(p.threads * p.pages) + PAGE_SIZE) : p.threads * (p.pages + GUARD_PAGES) * PAGE_SIZE;
    return region(0) + span > 2 ** 47 ? `threads * pages is too large for the user address space (${span} bytes)` : undefined;
  },
  build(tl, p) {
    if (p.mapping === 'shared') buildShared(tl, p);
    else buildPerThread(tl, p);
  },
});

/**
 * pft.c launch(): map the region, create the workers, release everyone together, run test 0 on
 * the launch thread, join the workers. No munmap: the process exit tears the region down (a
 * trace cannot make an unmap wait for the replayed faults, only the exit of the last thread
 * does). mmtests reruns the whole program; here iteration k maps a fresh region after the
 * previous one (a page apart, so the two never merge into one VMA).
 */
function buildShared(tl: Timeline, p: PftParams): void {
  const len = pagesLen(p.threads * p.pages);
  let base = region(0);
  let go = 0;
  let finished = 0;
  // The go flag: every test starts within RELEASE_SPREAD_NS of it.
  const release = once((t) => Math.max(0, go + t.rng.int(RELEASE_SPREAD_NS) - t.ts));
  // pft_loop(): touch one cache line of every page of piece w, in order.
  const touch = (w: number): Phase =>
    repeat(p.pages, (t, i) => {
      t.emit(Op.write, pageAddr(base, w * p.pages + i), 8, 0);
      return t.jitter(p.touch_gap_ns);
    });
  const worker = (w: number): Phase[] => [release, touch(w), once(() => (finished++, 0)), exitPhase()];
  const iteration = (k: number): Phase[] => [
    // alloc_test_memory(): mapped, not touched.
    once((t) => {
      base = region(0) + k * (len + PAGE_SIZE);
      t.emit(Op.mmap, base, len, anonMmapArg());
      finished = 0;
      return MMAP_NS;
    }),
    // start_workers(): pthread_create one after another; then go.
    once((t) => {
      for (let w = 1; w < p.threads; w++) t.spawnThread(SPAWN_NS * w, () => worker(w));
      go = t.ts + SPAWN_NS * p.threads;
      return 0;
    }),
    release,
    touch(0),
    // pthread_join() of every worker before the next run.
    waitFor(() => finished === p.threads - 1, JOIN_POLL_NS),
  ];
  tl.process(0, () => [...Array.from({ length: p.iterations }, (_, k) => iteration(k)).flat(), exitPhase()]);
}

/** The earlier shape: each thread maps its own region, writes every page, unmaps, per iteration. */
function buildPerThread(tl: Timeline, p: PftParams): void {
  const stride = pagesLen(p.pages + GUARD_PAGES);
  const perIter = p.pages + 2;
  // Thread w's program: [mmap, write x pages, munmap] x iterations, exit.
  const program = (w: number): Phase[] => {
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
}
