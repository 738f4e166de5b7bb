/**
 * __split_vma() (mm/mmap.c 2.6.34, mm/vma.c today): split a VMA at `addr` into [vm_start, addr)
 * and [addr, vm_end). The new upper VMA is a copy (vm_area_dup) that joins every anon_vma chain
 * of the original (anon_vma_clone) before the original shrinks; the shrink and the insertion go
 * through vma_adjust(vma, vma->vm_start, addr, vma->vm_pgoff, new), store by store, under the
 * locks the rmap_lock policy gives vma_adjust. Caller holds mmap_lock for write.
 */
import type { Kernel, Thread } from '../kernel.js';
import type { Mm, Vma } from '../mm/mm_types.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import { vma_start_write } from './mmap_lock.js';
import { anon_vma_clone, vma_adjust } from './vma_adjust.js';
import type { Path } from '../engine/task.js';

/** Split `vma` at `addr` (page aligned, strictly inside); returns the upper part. */
export function* split_vma(k: Kernel, task: Thread, mm: Mm, vma: Vma, addr: number): Path<Vma> {
  // The VMA changes: write-lock it (vma_start_write, 6.4+); the copy is born write-locked.
  yield* vma_start_write(task, vma);
  // vm_area_dup(): new->vm_start = addr, new->vm_pgoff += (addr - vm_start) >> PAGE_SHIFT.
  const upper = k.newVma(mm, addr, vma.vmEnd, vma.vmPgoff + (addr - vma.vmStart) / PAGE_SIZE, vma.flags, vma.file);
  upper.sharedObject = vma.sharedObject;
  upper.vmLockSeq = vma.vmLockSeq;
  // anon_vma_clone(new, vma): rmap walks find the new VMA from now on.
  anon_vma_clone(upper, vma);
  yield k.costs.vma_op;
  yield* vma_adjust(k, task, vma, vma.vmStart, addr, vma.vmPgoff, { insert: upper });
  k.stats.count('vma_splits');
  return upper;
}
