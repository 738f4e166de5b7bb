/**
 * madvise(MADV_DONTNEED) (mm/madvise.c, madvise_dontneed_single_vma): under mmap_lock for read,
 * zap the range's PTEs; private anonymous pages read back as zeroes afterwards.
 */
import type { Kernel, Thread } from '../kernel.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import type { OpArgs } from './op_args.js';
import { pageRange } from './do_mmap.js';
import { zap_pte_range } from './zap_pte_range.js';
import type { Path } from '../engine/task.js';

export function* madvise_dontneed(k: Kernel, task: Thread, a: OpArgs): Path<void> {
  const mm = task.mm;
  const [start, end] = pageRange(a.addr, a.len);
  yield k.costs.syscall;
  yield mm.mmapLock.read;
  for (const vma of mm.vmasIn(start, end)) {
    const s = Math.max(start, vma.vmStart);
    const e = Math.min(end, vma.vmEnd);
    yield* zap_pte_range(k, task, vma, s, e);
    if (!vma.isShared()) k.oracle.reset(mm.view, s / PAGE_SIZE, (e - s) / PAGE_SIZE);
  }
  mm.mmapLock.unlock(task);
}
