/**
 * `mixed`: a modest, realistic default workload that touches every replayed path at once; the
 * trace the README demo runs. Four processes over `duration_ms`:
 *
 * - **db**: `threads` workers read and write an anonymous heap (80% of touches in a hot fifth)
 *   and read a file-backed data mapping at random (page cache, disk reads); its main thread does
 *   maintenance: malloc-arena style mmap / guard-page mprotect / munmap, user-space NUMA
 *   balancing with move_pages() of hot pages (alternating nodes), and MADV_DONTNEED of cold pages.
 * - **batch**: one thread writes a region sequentially, swaps half of it out (MADV_PAGEOUT),
 *   has the other half compacted, and reads the swapped half back; again and again.
 * - **spawner**: forks a short-lived child every ~millisecond (a shell or build system); each child
 *   writes a few inherited pages (COW), reads some, maps and touches its own memory, exits.
 * - **rdma**: pins a small buffer (FOLL_WRITE|FOLL_LONGTERM), a device thread DMAs into and out of
 *   it, the process forks once (the child exits), the CPU keeps writing and reading it back.
 *
 * Nothing here is tuned to make one policy look good; it exercises faults, swap, migration,
 * fork/COW, pins and address-space changes together, with contention on the db's `mmap_lock`
 * from its maintenance thread. Reproducer sources of each ingredient: see the other scenarios.
 */
import { FOLL_LONGTERM, FOLL_WRITE, Op, PAGE_SIZE, PROT_NONE } from '../schema.js';
import { anonMmapArg, fileMmapArg, mibPages, pageAddr, pagesLen, region } from './layout.js';
import { intParam, type ParamValues } from './params.js';
import { defineScenario } from './scenario.js';
import { END, exitPhase, once, repeat, until, waitFor, type Phase } from './timeline.js';
import type { SimThread, Timeline } from './timeline.js';

const MS = 1_000_000;
const POLL_NS = 20_000;
/** The db's data file and the mapping flags (MAP_SHARED, read-only). */
const DB_FILE_ID = 1;
/** Mean user time between two touches of a db worker (exponential: Poisson arrivals). */
const DB_TOUCH_NS = 5_000;
/** db maintenance: one cycle every this long; pages of the malloc-style arena. */
const MAINT_CYCLE_NS = 500_000;
const ARENA_PAGES = 16;
/** Hot pages moved per move_pages() call, cold pages dropped per MADV_DONTNEED. */
const MIGRATE_PAGES = 16;
const DISCARD_PAGES = 64;
/** batch: region size and user time per page. */
const BATCH_PAGES = 2048;
const BATCH_STEP_NS = 2_000;
/** spawner: heap size, fork interval, child work. */
const SPAWNER_PAGES = 256;
const FORK_EVERY_NS = 1_000_000;
const CHILD_STEP_NS = 3_000;
const CHILD_OWN_PAGES = 16;
/** rdma: buffer size, device and CPU pacing. */
const RDMA_PAGES = 16;
const DMA_GAP_NS = 5_000;
const RDMA_CPU_GAP_NS = 10_000;

const params = {
  duration_ms: intParam(20, 'length of the run; every thread stops at this time', { min: 1, max: 1_000_000, unit: 'ms' }),
  threads: intParam(4, 'db worker threads', { min: 1, max: 1024 }),
  heap_mib: intParam(32, 'db anonymous heap', { min: 1, max: 1024, unit: 'MiB' }),
  file_mib: intParam(64, 'db data file mapping', { min: 1, max: 1024, unit: 'MiB' }),
  write_pct: intParam(30, 'share of db heap touches that write', { min: 0, max: 100, unit: '%' }),
};
type MixedParams = ParamValues<typeof params>;

/** A few processes mixing faults, swap, migration, fork, pins and address-space changes. */
export const mixed = defineScenario({
  name: 'mixed',
  summary: 'db, batch, fork-heavy and RDMA processes together: faults, swap, migration, fork/COW, pins, mmap/mprotect',
  reference: 'a composite of the other scenarios (docs/kernel-sources.md A-E); the README demo trace',
  params,
  threadsParam: 'threads',
  build(tl, p) {
    const deadline = p.duration_ms * MS;
    db(tl, p, deadline);
    batch(tl, deadline, 50_000);
    spawner(tl, deadline, 100_000);
    rdma(tl, deadline, 150_000);
  },
});

/** A step that exits at the deadline; otherwise runs `body`. */
function untilDeadline(deadline: number, body: (t: SimThread, i: number) => number): Phase {
  return until((t, i) => (t.ts >= deadline ? END : body(t, i)));
}

function db(tl: Timeline, p: MixedParams, deadline: number): void {
  const heap = region(0);
  const heapPages = mibPages(p.heap_mib);
  const hotPages = Math.max(1, Math.floor(heapPages / 5));
  const file = region(1);
  const filePages = mibPages(p.file_mib);
  const arena = region(2);
  const state = { done: 0 };

  // Touches are 64-byte cache lines: one draw picks page and line together.
  const LINES = PAGE_SIZE / 64;
  const writeP = p.write_pct / 100;
  const worker: Phase[] = [
    untilDeadline(deadline, (t) => {
      const rng = t.rng;
      if (rng.chance(0.1)) {
        t.emit(Op.read, file + 64 * rng.int(filePages * LINES), 64, 0);
      } else {
        // 80% of heap touches go to the hot fifth.
        const line = rng.int((rng.chance(0.8) ? hotPages : heapPages) * LINES);
        t.emit(rng.float() < writeP ? Op.write : Op.read, heap + 64 * line, 64, 0);
      }
      return Math.round(rng.exponential(DB_TOUCH_NS));
    }),
    once(() => {
      state.done++;
      return END;
    }),
    exitPhase(),
  ];

  // Maintenance cycle: arena mmap, two writes, guard page, munmap, then migrate or discard.
  const maint = untilDeadline(deadline, (t, i) => {
    const cycle = Math.floor(i / 6);
    switch (i % 6) {
      case 0: t.emit(Op.mmap, arena, pagesLen(ARENA_PAGES), anonMmapArg()); break;
      case 1: t.emit(Op.write, arena, PAGE_SIZE, 0); break;
      case 2: t.emit(Op.write, pageAddr(arena, 1), PAGE_SIZE, 0); break;
      case 3: t.emit(Op.mprotect, pageAddr(arena, ARENA_PAGES - 1), PAGE_SIZE, PROT_NONE); break;
      case 4: t.emit(Op.munmap, arena, pagesLen(ARENA_PAGES), 0); break;
      default:
        if (cycle % 2 === 0) {
          const first = t.rng.int(Math.max(1, hotPages - MIGRATE_PAGES));
          t.emit(Op.migrate, pageAddr(heap, first), pagesLen(Math.min(MIGRATE_PAGES, heapPages)), (cycle / 2) % 2 === 0 ? 1 : 0);
        } else if (heapPages > hotPages + DISCARD_PAGES) {
          const first = hotPages + t.rng.int(heapPages - hotPages - DISCARD_PAGES);
          t.emit(Op.discard, pageAddr(heap, first), pagesLen(DISCARD_PAGES), 0);
        }
        return t.jitter(MAINT_CYCLE_NS - 10_000);
    }
    return 2_000;
  });

  tl.process(0, () => [
    once((t) => {
      t.emit(Op.mmap, heap, pagesLen(heapPages), anonMmapArg());
      return 2_000;
    }),
    once((t) => {
      t.emit(Op.mmap, file, pagesLen(filePages), fileMmapArg(DB_FILE_ID, { shared: true, readOnly: true }));
      for (let w = 0; w < p.threads; w++) t.spawnThread(10_000 + 1_000 * w, () => worker);
      return 20_000;
    }),
    maint,
    // No munmap of the shared heap and file at the end: replayed workers can run past their trace
    // times (disk reads, swap-ins) and would fault on vanished VMAs. The last exit tears down.
    waitFor(() => state.done === p.threads, POLL_NS),
    exitPhase(),
  ]);
}

function batch(tl: Timeline, deadline: number, start: number): void {
  const base = region(3);
  const half = BATCH_PAGES / 2;
  // One cycle: write every page, swap out the lower half, compact the upper half, read the lower half back.
  const cycleLen = BATCH_PAGES + 2 + half;
  tl.process(start, () => [
    once((t) => {
      t.emit(Op.mmap, base, pagesLen(BATCH_PAGES), anonMmapArg());
      return 2_000;
    }),
    untilDeadline(deadline, (t, i) => {
      const j = i % cycleLen;
      if (j < BATCH_PAGES) t.emit(Op.write, pageAddr(base, j), PAGE_SIZE, 0);
      else if (j === BATCH_PAGES) t.emit(Op.swapout, base, pagesLen(half), 0);
      else if (j === BATCH_PAGES + 1) t.emit(Op.compact, pageAddr(base, half), pagesLen(half), 0);
      else t.emit(Op.read, pageAddr(base, j - BATCH_PAGES - 2), PAGE_SIZE, 0);
      return t.jitter(BATCH_STEP_NS);
    }),
    once((t) => {
      t.emit(Op.munmap, base, pagesLen(BATCH_PAGES), 0);
      return 2_000;
    }),
    exitPhase(),
  ]);
}

function spawner(tl: Timeline, deadline: number, start: number): void {
  const heap = region(4);
  const own = region(5);
  const child: Phase[] = [
    repeat(8, (t, i) => {
      t.emit(i < 4 ? Op.write : Op.read, pageAddr(heap, t.rng.int(SPAWNER_PAGES)), 8, 0);
      return CHILD_STEP_NS;
    }),
    repeat(CHILD_OWN_PAGES + 2, (t, i) => {
      if (i === 0) t.emit(Op.mmap, own, pagesLen(CHILD_OWN_PAGES), anonMmapArg());
      else if (i <= CHILD_OWN_PAGES) t.emit(Op.write, pageAddr(own, i - 1), PAGE_SIZE, 0);
      else t.emit(Op.munmap, own, pagesLen(CHILD_OWN_PAGES), 0);
      return CHILD_STEP_NS;
    }),
    exitPhase(),
  ];
  tl.process(start, () => [
    once((t) => {
      t.emit(Op.mmap, heap, pagesLen(SPAWNER_PAGES), anonMmapArg());
      return 2_000;
    }),
    repeat(SPAWNER_PAGES, (t, i) => {
      t.emit(Op.write, pageAddr(heap, i), PAGE_SIZE, 0);
      return 300;
    }),
    untilDeadline(deadline, (t) => {
      t.fork(20_000, () => child);
      return t.jitter(FORK_EVERY_NS);
    }),
    // The last children finish their ~30 steps before the parent unmaps and exits.
    once(() => 40 * CHILD_STEP_NS),
    once((t) => {
      t.emit(Op.munmap, heap, pagesLen(SPAWNER_PAGES), 0);
      return 2_000;
    }),
    exitPhase(),
  ]);
}

function rdma(tl: Timeline, deadline: number, start: number): void {
  const buf = region(6);
  const len = pagesLen(RDMA_PAGES);
  const pinArg = FOLL_WRITE | FOLL_LONGTERM;
  const device: Phase[] = [
    untilDeadline(deadline, (t, i) => {
      t.emit(i % 2 === 0 ? Op.dma_write : Op.dma_read, pageAddr(buf, Math.floor(i / 2) % RDMA_PAGES), PAGE_SIZE, 0);
      return t.jitter(DMA_GAP_NS);
    }),
    exitPhase(),
  ];
  const child: Phase[] = [exitPhase()];
  tl.process(start, () => [
    once((t) => {
      t.emit(Op.mmap, buf, len, anonMmapArg());
      return 2_000;
    }),
    repeat(RDMA_PAGES, (t, i) => {
      t.emit(Op.write, pageAddr(buf, i), PAGE_SIZE, 0);
      return 300;
    }),
    once((t) => {
      t.emit(Op.pin, buf, len, pinArg);
      // The device starts once the replayed pin_user_pages() has surely returned.
      t.spawnThread(50_000, () => device);
      return 100_000;
    }),
    once((t) => {
      t.fork(20_000, () => child);
      return 100_000;
    }),
    untilDeadline(deadline, (t, i) => {
      t.emit(i % 2 === 0 ? Op.write : Op.read, pageAddr(buf, t.rng.int(RDMA_PAGES)), 8, 0);
      return t.jitter(RDMA_CPU_GAP_NS);
    }),
    // The device thread stops at the deadline too; deregister after it has gone quiet (with room
    // for the replay running behind trace time).
    once(() => 50 * DMA_GAP_NS),
    once((t) => {
      t.emit(Op.unpin, buf, len, pinArg);
      return 2_000;
    }),
    once((t) => {
      t.emit(Op.munmap, buf, len, 0);
      return 2_000;
    }),
    exitPhase(),
  ]);
}
