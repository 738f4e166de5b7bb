/**
 * The op table: which kernel entry each trace op runs (docs/design.md "The event table"), one
 * literal table as perf lock keeps its tracepoint handlers. Accesses go through the thread's
 * access path (replay/row_loop.ts) and `compute` is plain CPU work; every other op has its
 * handler here, from the module of the kernel function it enters.
 */
import { Op } from '../../ingest/schema.js';
import { compact_memory } from './compact.js';
import { dma_transfer } from './dma.js';
import { do_exit } from './do_exit.js';
import { sys_mmap, sys_munmap } from './do_mmap.js';
import { sys_fork } from './dup_mmap.js';
import { gup_range, release_range } from './gup.js';
import { madvise_dontneed } from './madvise_dontneed.js';
import { madvise_pageout } from './madvise_pageout.js';
import { sys_move_pages } from './move_pages.js';
import { do_mprotect_pkey } from './mprotect.js';
import type { OpHandler } from './op_args.js';

const OP_HANDLERS: { readonly [op: number]: OpHandler | undefined } = {
  [Op.mmap]: sys_mmap,
  [Op.munmap]: sys_munmap,
  [Op.mprotect]: do_mprotect_pkey,
  [Op.discard]: madvise_dontneed,
  [Op.swapout]: madvise_pageout,
  [Op.migrate]: sys_move_pages,
  [Op.compact]: compact_memory,
  [Op.pin]: (k, task, a) => gup_range(k, task, a, true),
  [Op.unpin]: (k, task, a) => release_range(k, task, a, true),
  [Op.gup]: (k, task, a) => gup_range(k, task, a, false),
  [Op.gup_put]: (k, task, a) => release_range(k, task, a, false),
  [Op.dma_write]: (k, task, a) => dma_transfer(k, task, a, true),
  [Op.dma_read]: (k, task, a) => dma_transfer(k, task, a, false),
  [Op.fork]: sys_fork,
  [Op.exit]: do_exit,
};

/** The handler of an op code, if it has one (accesses and compute have none). */
export function opHandler(op: number): OpHandler | undefined {
  return OP_HANDLERS[op];
}
