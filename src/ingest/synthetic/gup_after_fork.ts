/**
 * `gup-after-fork`: an RDMA-style process registers (pins) a buffer, forks, and keeps using the
 * buffer from the CPU while the device keeps writing to it (docs/kernel-sources.md C).
 *
 * Mirrors the RDMA breakage of 5.9's refcount-based COW (09854ba94c6a), reported by Jason
 * Gunthorpe (lore 20200914143829.GA1424636@nvidia.com): the process pins its receive buffer
 * (ibv_reg_mr: pin_user_pages(FOLL_WRITE | FOLL_LONGTERM)), forks a child that exits while the
 * parent waits, then writes the buffer; under refcount-based reuse the parent's write fault
 * copies the pinned page, so later device writes land in a page the parent no longer maps and
 * its read-back sees stale data. Under mapcount reuse (5.8) the parent reuses the page when the
 * child is gone; with a live child (`child=live`) both lose (that is why MADV_DONTFORK existed);
 * `fork_cow=early-cow` (5.9, 70e806e4e645) copies for the child at fork instead. `ref=gup` uses a
 * plain FOLL_GET reference (O_DIRECT, vmsplice) instead of a longterm pin.
 *
 * Threads of the parent: the CPU writers (`writers`, the main thread first) and one "device"
 * thread whose `dma_write` / `dma_read` rows stand for the NIC's DMA through the process's pins.
 */
import { FOLL_LONGTERM, FOLL_WRITE, Op, PAGE_SIZE } from '../schema.js';
import { anonMmapArg, pageAddr, pagesLen, region } from './layout.js';
import { enumParam, intParam } from './params.js';
import { defineScenario } from './scenario.js';
import { END, exitPhase, once, repeat, sleep, until, waitFor, type Phase } from './timeline.js';

const MMAP_NS = 2_000;
/** memset of the buffer before registration, per page. */
const FILL_PAGE_NS = 250;
/** ibv_reg_mr() to the next user action. */
const REG_NS = 10_000;
/** fork() to the child's first row (a replay starts the child when its emulated fork returns). */
const CHILD_START_NS = 20_000;
/** Poll interval of waits (waitpid, pthread_join). */
const POLL_NS = 5_000;

const params = {
  pages: intParam(16, 'pages of the registered buffer', { min: 1, max: 262_144, unit: 'pages' }),
  rounds: intParam(500, 'write + read-back rounds of each CPU writer after the fork', { min: 1, max: 100_000_000 }),
  writers: intParam(1, 'CPU threads of the parent writing and reading back the buffer (pages split between them)', { min: 1, max: 1024 }),
  child: enumParam(['exit', 'live'], 'exit', 'exit: the child exits at once and the parent waits for it (the 5.9 RDMA report); live: the child keeps writing its copy until the parent is done'),
  ref: enumParam(['pin', 'gup'], 'pin', 'pin: pin_user_pages(FOLL_WRITE|FOLL_LONGTERM) as ibv_reg_mr; gup: get_user_pages(FOLL_WRITE) as O_DIRECT'),
  cpu_gap_ns: intParam(2_000, 'user time between two CPU accesses of one writer', { min: 1, unit: 'ns' }),
  dma_gap_ns: intParam(2_000, 'time between two DMA transfers of the device', { min: 1, unit: 'ns' }),
};

/** Pin a buffer, fork, keep writing from the CPU and the device, read back. */
export const gupAfterFork = defineScenario({
  name: 'gup-after-fork',
  summary: 'RDMA-style: pin a buffer (FOLL_WRITE|FOLL_LONGTERM), fork, CPU and device keep writing, parent reads back',
  reference: 'RDMA COW regression, lore 20200914143829.GA1424636@nvidia.com (after 09854ba94c6a); fix 70e806e4e645; docs/kernel-sources.md C',
  params,
  threadsParam: 'writers',
  check(p) {
    return p.pages < p.writers ? `pages (${p.pages}) must be at least writers (${p.writers})` : undefined;
  },
  build(tl, p) {
    const base = region(0);
    const len = pagesLen(p.pages);
    const pinOp = p.ref === 'pin' ? Op.pin : Op.gup;
    const unpinOp = p.ref === 'pin' ? Op.unpin : Op.gup_put;
    const pinArg = p.ref === 'pin' ? FOLL_WRITE | FOLL_LONGTERM : FOLL_WRITE;
    const state = { stop: Infinity, writersDone: 0, childGone: Infinity };

    // Writer w owns pages w, w + writers, ...: write one, then read back one the device wrote.
    const writer = (w: number): Phase[] => {
      const owned = Math.ceil((p.pages - w) / p.writers);
      return [
        repeat(2 * p.rounds, (t, i) => {
          const page = w + p.writers * t.rng.int(owned);
          t.emit(i % 2 === 0 ? Op.write : Op.read, pageAddr(base, page), 8, 0);
          return t.jitter(p.cpu_gap_ns);
        }),
        once((t) => {
          if (++state.writersDone === p.writers) state.stop = t.ts;
          return END;
        }),
      ];
    };

    // The NIC: receives (dma_write) into page k and sends (dma_read) from page k, round robin.
    const device: Phase[] = [
      until((t, i) => {
        if (t.ts >= state.stop) {
          t.emit(Op.exit, 0, 0, 0);
          return END;
        }
        const page = Math.floor(i / 2) % p.pages;
        t.emit(i % 2 === 0 ? Op.dma_write : Op.dma_read, pageAddr(base, page), PAGE_SIZE, 0);
        return t.jitter(p.dma_gap_ns);
      }),
    ];

    const child: Phase[] =
      p.child === 'exit'
        ? [
            once((t) => {
              state.childGone = t.ts;
              t.emit(Op.exit, 0, 0, 0);
              return END;
            }),
          ]
        : [
            until((t, i) => {
              if (t.ts >= state.stop) {
                t.emit(Op.exit, 0, 0, 0);
                return END;
              }
              t.emit(i % 2 === 0 ? Op.write : Op.read, pageAddr(base, t.rng.int(p.pages)), 8, 0);
              return t.jitter(2 * p.cpu_gap_ns);
            }),
          ];

    tl.process(0, () => [
      once((t) => {
        t.emit(Op.mmap, base, len, anonMmapArg());
        return MMAP_NS;
      }),
      repeat(p.pages, (t, i) => {
        t.emit(Op.write, pageAddr(base, i), PAGE_SIZE, 0);
        return FILL_PAGE_NS;
      }),
      once((t) => {
        t.emit(pinOp, base, len, pinArg);
        // The device starts once the replayed pin_user_pages() (faults included) has returned,
        // and runs a while before the fork.
        t.spawnThread(5 * REG_NS, () => device);
        return 10 * REG_NS;
      }),
      once((t) => {
        t.fork(CHILD_START_NS, () => child);
        return POLL_NS;
      }),
      // waitpid() for the child that exits; a live child runs alongside.
      waitFor(() => p.child === 'live' || state.childGone < Infinity, POLL_NS),
      // After waitpid() returns, leave room for the replayed fork (tens of us: fork_base plus the
      // page-table copy) and the child's exit_mmap, so the parent writes after the child is gone.
      p.child === 'exit' ? sleep(20 * POLL_NS) : sleep(0),
      once((t) => {
        for (let w = 1; w < p.writers; w++) t.spawnThread(1_000 * w, () => writer(w));
        return 0;
      }),
      ...writer(0),
      waitFor(() => state.writersDone === p.writers, POLL_NS),
      // Let the device go quiet before deregistering the buffer.
      sleep(2 * p.dma_gap_ns + POLL_NS),
      once((t) => {
        t.emit(unpinOp, base, len, pinArg);
        return POLL_NS;
      }),
      once((t) => {
        t.emit(Op.munmap, base, len, 0);
        return POLL_NS;
      }),
      exitPhase(),
    ]);
  },
});
