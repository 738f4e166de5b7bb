/**
 * `mmap-vs-file-reads`: one thread loops mmap/munmap while other threads read a large file-backed
 * mapping at random (docs/kernel-sources.md A).
 *
 * Mirrors the benchmark in d065bd810b6d ("mm: retry page fault when blocking on disk transfer",
 * Michel Lespinasse, 2.6.37): a thread looping mmap/munmap while another reads a mmapped file at
 * random went from 55 to 15000 iterations/s once a fault waiting for the disk dropped
 * `mmap_lock` (FAULT_FLAG_ALLOW_RETRY). Every mmap and munmap takes `mmap_lock` for write, so
 * under `fault_lock=mmap-noretry` the looper waits behind readers that sleep on disk reads with
 * the lock held; under `mmap` they drop it and retry; under the per-VMA-lock variants with
 * `file_fault_lock=vma` file faults do not touch `mmap_lock` at all. Compare the looper's
 * makespan (its mmap/munmap latency) and `mmap_lock` wait across policies, with `--disk nvme`
 * and `--disk hdd`.
 */
import { Op } from '../schema.js';
import { anonMmapArg, fileMmapArg, mibPages, pageAddr, pagesLen, region } from './layout.js';
import { intParam } from './params.js';
import { defineScenario } from './scenario.js';
import { END, exitPhase, once, repeat, waitFor, type Phase } from './timeline.js';

/** File id of the data file (mmap arg bits 8-31). */
export const DATA_FILE_ID = 1;
const MMAP_NS = 2_000;
const START_NS = 10_000;
const POLL_NS = 10_000;

const params = {
  readers: intParam(1, 'threads reading the file mapping at random', { min: 1, max: 4096 }),
  file_mib: intParam(256, 'size of the file mapping (large enough that random reads miss the page cache)', { min: 1, max: 1024, unit: 'MiB' }),
  reads: intParam(2000, 'random 8-byte reads per reader', { min: 1, max: 100_000_000 }),
  loops: intParam(2000, 'mmap + munmap iterations of the looping thread', { min: 1, max: 100_000_000 }),
  read_gap_ns: intParam(1_000, 'user time between two reads of one reader', { min: 1, unit: 'ns' }),
  loop_gap_ns: intParam(1_000, 'user time between the looper\'s mmap and munmap calls', { min: 1, unit: 'ns' }),
};

/** A thread loops mmap/munmap while readers fault a file mapping at random. */
export const mmapVsFileReads = defineScenario({
  name: 'mmap-vs-file-reads',
  summary: 'one thread loops mmap/munmap while others read a file-backed mapping at random (d065bd810b6d benchmark)',
  reference: 'd065bd810b6d (FAULT_FLAG_ALLOW_RETRY, 2.6.37): 55 -> 15000 mmap/munmap iterations/s; docs/kernel-sources.md A',
  params,
  threadsParam: 'readers',
  build(tl, p) {
    const fileBase = region(0);
    const filePages = mibPages(p.file_mib);
    const loopBase = region(1);
    const state = { done: 0 };

    const reader: Phase[] = [
      repeat(p.reads, (t) => {
        t.emit(Op.read, pageAddr(fileBase, t.rng.int(filePages)) + 8 * t.rng.int(512), 8, 0);
        return t.jitter(p.read_gap_ns);
      }),
      once(() => {
        state.done++;
        return END;
      }),
      exitPhase(),
    ];

    tl.process(0, () => [
      once((t) => {
        t.emit(Op.mmap, fileBase, pagesLen(filePages), fileMmapArg(DATA_FILE_ID, { readOnly: true }));
        for (let r = 0; r < p.readers; r++) t.spawnThread(START_NS + 1_000 * r, () => reader);
        return MMAP_NS + START_NS;
      }),
      // The looper: mmap one anonymous page, munmap it, again.
      repeat(2 * p.loops, (t, i) => {
        t.emit(i % 2 === 0 ? Op.mmap : Op.munmap, loopBase, pagesLen(1), i % 2 === 0 ? anonMmapArg() : 0);
        return t.jitter(p.loop_gap_ns);
      }),
      // No munmap of the file at the end: readers replayed on a slow disk run long past their
      // trace times, and would fault on a vanished VMA. The last thread's exit tears it down.
      waitFor(() => state.done === p.readers, POLL_NS),
      exitPhase(),
    ]);
  },
});
