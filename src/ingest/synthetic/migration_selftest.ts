/**
 * `migration-selftest`: the shape of the kernel's migration selftest,
 * tools/testing/selftests/mm/migration.c (cases `private_anon` and `shared_anon`; docs/kernel-sources.md B).
 *
 * The test maps 2 MiB of anonymous memory, memsets it, starts readers that loop on `*ptr` (the
 * first word of the first page), and has the main thread call
 * `move_pages(0, 1, &ptr, &n2, &status, MPOL_MF_MOVE_ALL)` back to back, swapping the target
 * between two nodes, for RUNTIME seconds. `private_anon` readers are pthreads of the same process
 * (MAP_PRIVATE); `shared_anon` readers are forked children of a MAP_SHARED mapping. A positive
 * return ("Didn't migrate N pages") fails the test: in a replay, that is a page left unmigrated
 * after every pass because a reader's reference made the refcount check fail.
 *
 * Here the loop runs a fixed number of iterations instead of RUNTIME seconds, readers' loads are
 * sampled every `read_gap_ns`, and the first target is node 1 (the main thread's first touch put
 * the page on node 0), then 0, 1, ...
 */
import { Op, PAGE_SIZE } from '../schema.js';
import { anonMmapArg, MAX_REGION_PAGES, pageAddr, pagesLen, region } from './layout.js';
import { enumParam, intParam } from './params.js';
import { defineScenario } from './scenario.js';
import { END, exitPhase, once, repeat, until, type Phase } from './timeline.js';

/** User time of the mmap() call before the memset starts. */
const MMAP_NS = 2_000;
/** memset() time per page between the page's first-touch writes. */
const MEMSET_PAGE_NS = 250;
/** Between two pthread_create() or fork() calls of the main thread. */
const SPAWN_NS = 15_000;
/** From pthread_create() / fork() to the new reader's first load. */
const START_NS = 5_000;

const params = {
  mode: enumParam(
    ['private_anon', 'shared_anon'],
    'private_anon',
    'private_anon: readers are threads of the migrating process (MAP_PRIVATE); shared_anon: readers are forked children sharing a MAP_SHARED anonymous mapping',
  ),
  readers: intParam(3, 'reader threads (private_anon) or forked reader processes (shared_anon); the selftest starts one per CPU minus two', { min: 1, max: 4096 }),
  iterations: intParam(1000, 'move_pages() calls by the main thread, target node 1, 0, 1, ...', { min: 1, max: 100_000_000 }),
  map_pages: intParam(512, 'pages mapped and memset before the readers start (the selftest maps 2 MiB); only the first page migrates', {
    min: 1, max: MAX_REGION_PAGES, unit: 'pages',
  }),
  migrate_gap_ns: intParam(2_000, 'user time between two move_pages() calls (the selftest calls it back to back)', { min: 0, unit: 'ns' }),
  read_gap_ns: intParam(500, 'time between two sampled loads of *ptr by one reader', { min: 1, unit: 'ns' }),
};

/** The migration.c selftest: readers fault on one page while the main thread migrates it between nodes 0 and 1. */
export const migrationSelftest = defineScenario({
  name: 'migration-selftest',
  summary: 'readers load one page while the main thread move_pages() it between nodes 0 and 1 (selftests/mm/migration.c)',
  reference: 'tools/testing/selftests/mm/migration.c (private_anon, shared_anon); docs/kernel-sources.md B',
  params,
  threadsParam: 'readers',
  build(tl, p) {
    const base = region(0);
    const shared = p.mode === 'shared_anon';
    /** Set by the main thread when migration ends (pthread_cancel / kill SIGTERM). */
    const stop = { ts: Infinity };

    // access_mem(): `y += *x` forever, until cancelled or killed.
    const reader: Phase[] = [
      until((t) => {
        if (t.ts >= stop.ts) {
          t.emit(Op.exit, 0, 0, 0);
          return END;
        }
        t.emit(Op.read, base, 8, 0);
        return t.jitter(p.read_gap_ns);
      }),
    ];

    tl.process(0, () => [
      once((t) => {
        t.emit(Op.mmap, base, pagesLen(p.map_pages), anonMmapArg(shared));
        return MMAP_NS;
      }),
      // memset(ptr, 0xde, TWOMEG): first touch of every page by the main thread (node 0).
      repeat(p.map_pages, (t, i) => {
        t.emit(Op.write, pageAddr(base, i), PAGE_SIZE, 0);
        return MEMSET_PAGE_NS;
      }),
      repeat(p.readers, (t) => {
        if (shared) t.fork(START_NS, () => reader);
        else t.spawnThread(START_NS, () => reader);
        return SPAWN_NS;
      }),
      // migrate(): move_pages() to n2, then swap n1 and n2.
      repeat(p.iterations, (t, i) => {
        t.emit(Op.migrate, base, PAGE_SIZE, i % 2 === 0 ? 1 : 0);
        return t.jitter(p.migrate_gap_ns);
      }),
      once((t) => {
        stop.ts = t.ts;
        // pthread_cancel() / kill() and the harness's teardown before the process exits.
        return 2 * p.read_gap_ns + 10_000;
      }),
      exitPhase(),
    ]);
  },
});
