/**
 * `vma-adjust-race`: compaction migrates anonymous pages while mprotect moves the boundary between
 * two adjacent anonymous VMAs back and forth, and forked children sharing the anon_vma come and go
 * (docs/kernel-sources.md E).
 *
 * Mirrors the shape of Mel Gorman's 2010 reproducer for the "rmap_walk sees a half-updated VMA"
 * bug that anon_vma root locking fixed (5c341ee1dfc8, 012f18004da3, 2.6.35): compaction running
 * constantly (`compact_memory`) while processes change VMA boundaries with `vma_adjust` and fork
 * children that share the anon_vma. `vma_adjust` stores `vm_start`, `vm_end` and `vm_pgoff` of
 * both VMAs as separate steps under `mmap_lock` only; an rmap walk from the migrator (which holds
 * no `mmap_lock` of this mm) between those stores computes a wrong address, skips the VMA, and
 * leaves a migration PTE behind. Under `rmap_lock=none` a replay should count
 * `stale_migration_entries` (found by the readers' faults or at the end); under
 * `vma-adjust-lock` and `anon-vma-root` none, at the lock costs those variants carry.
 *
 * Threads of the process: the main thread (mprotect loop and forks), a compaction thread whose
 * `compact` rows stand for kcompactd / compact_memory on this process's pages, and `readers` that
 * read anywhere in the region and write to the part that is always read-write.
 */
import { Op, PAGE_SIZE, PROT_READ, PROT_READ_WRITE } from '../schema.js';
import { anonMmapArg, pageAddr, pagesLen, region } from './layout.js';
import { intParam } from './params.js';
import { defineScenario } from './scenario.js';
import { END, exitPhase, once, repeat, sleep, until, type Phase } from './timeline.js';

const MMAP_NS = 2_000;
const FILL_PAGE_NS = 250;
const START_NS = 10_000;
/** fork() to the child's first row, and between the child's rows. */
const CHILD_STEP_NS = 5_000;
/** Pages a child reads before it exits. */
const CHILD_READS = 4;
/** Share of reader touches that write, when the page is in the always-writable part. */
const READER_WRITE_PCT = 25;

const params = {
  pages: intParam(64, 'pages of the region; the upper half starts read-only, so two VMAs share one anon_vma', { min: 8, max: 262_144, unit: 'pages' }),
  rounds: intParam(2000, 'boundary moves by mprotect: down by 1..swing pages, then back', { min: 2, max: 100_000_000 }),
  swing: intParam(8, 'largest boundary move, in pages (below pages / 2)', { min: 1, max: 131_071, unit: 'pages' }),
  children: intParam(20, 'children forked over the run (at most one per down/up pair); each reads a few pages and exits', { min: 0, max: 1_000_000 }),
  readers: intParam(1, 'reader threads touching the region at random', { min: 0, max: 1024 }),
  mprotect_gap_ns: intParam(2_000, 'user time between two mprotect() calls', { min: 1, unit: 'ns' }),
  compact_gap_ns: intParam(5_000, 'time between two compaction passes over the region', { min: 1, unit: 'ns' }),
  read_gap_ns: intParam(1_000, 'user time between two touches of a reader', { min: 1, unit: 'ns' }),
};

/** Compaction against mprotect-driven vma_adjust and forks sharing the anon_vma. */
export const vmaAdjustRace = defineScenario({
  name: 'vma-adjust-race',
  summary: 'compaction migrates anon pages while mprotect moves a VMA boundary and forked children share the anon_vma',
  reference: "Mel Gorman's 2010 compaction reproducer; fixes 5c341ee1dfc8, 012f18004da3 (2.6.35); docs/kernel-sources.md E",
  params,
  threadsParam: 'readers',
  check(p) {
    return 2 * p.swing >= p.pages ? `swing (${p.swing}) must be below pages / 2 (${p.pages / 2})` : undefined;
  },
  build(tl, p) {
    const base = region(0);
    const len = pagesLen(p.pages);
    const half = Math.floor(p.pages / 2);
    // Pages [0, half - swing) are read-write whatever the boundary does.
    const alwaysRw = half - p.swing;
    // Fork on the way back up, spread evenly over the down/up pairs.
    const pairs = Math.floor(p.rounds / 2);
    const forkEvery = p.children > 0 ? Math.max(1, Math.floor(pairs / p.children)) : Infinity;
    const state = { stop: Infinity, forked: 0 };

    const compactor: Phase[] = [
      until((t) => {
        if (t.ts >= state.stop) {
          t.emit(Op.exit, 0, 0, 0);
          return END;
        }
        t.emit(Op.compact, base, len, 0);
        return t.jitter(p.compact_gap_ns);
      }),
    ];

    const reader: Phase[] = [
      until((t) => {
        if (t.ts >= state.stop) {
          t.emit(Op.exit, 0, 0, 0);
          return END;
        }
        const page = t.rng.int(p.pages);
        const write = page < alwaysRw && t.rng.int(100) < READER_WRITE_PCT;
        t.emit(write ? Op.write : Op.read, pageAddr(base, page), 8, 0);
        return t.jitter(p.read_gap_ns);
      }),
    ];

    const child: Phase[] = [
      repeat(CHILD_READS, (t) => {
        t.emit(Op.read, pageAddr(base, t.rng.int(p.pages)), 8, 0);
        return CHILD_STEP_NS;
      }),
      exitPhase(),
    ];

    let moved = 0;
    tl.process(0, () => [
      once((t) => {
        t.emit(Op.mmap, base, len, anonMmapArg());
        return MMAP_NS;
      }),
      repeat(p.pages, (t, i) => {
        t.emit(Op.write, pageAddr(base, i), PAGE_SIZE, 0);
        return FILL_PAGE_NS;
      }),
      // Split into [0, half) read-write and [half, pages) read-only: two VMAs, one anon_vma.
      once((t) => {
        t.emit(Op.mprotect, pageAddr(base, half), pagesLen(p.pages - half), PROT_READ);
        t.spawnThread(START_NS, () => compactor);
        for (let r = 0; r < p.readers; r++) t.spawnThread(START_NS + 1_000 * (r + 1), () => reader);
        return START_NS;
      }),
      repeat(p.rounds, (t, i) => {
        if (i % 2 === 0) {
          // Move the boundary down: the upper VMA grows downwards (its vm_start and vm_pgoff change).
          moved = 1 + t.rng.int(p.swing);
          t.emit(Op.mprotect, pageAddr(base, half - moved), pagesLen(moved), PROT_READ);
        } else {
          // And back up: the lower VMA grows again.
          t.emit(Op.mprotect, pageAddr(base, half - moved), pagesLen(moved), PROT_READ_WRITE);
          if (Math.floor(i / 2) % forkEvery === 0 && state.forked < p.children) {
            state.forked++;
            t.fork(CHILD_STEP_NS, () => child);
          }
        }
        return t.jitter(p.mprotect_gap_ns);
      }),
      once((t) => {
        state.stop = t.ts;
        return 0;
      }),
      sleep(2 * Math.max(p.compact_gap_ns, p.read_gap_ns) + START_NS),
      once((t) => {
        t.emit(Op.munmap, base, len, 0);
        return START_NS;
      }),
      exitPhase(),
    ]);
  },
});
