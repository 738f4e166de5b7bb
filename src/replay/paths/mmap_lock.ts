/**
 * mmap_lock helpers with the per-VMA lock protocol (include/linux/mmap_lock.h, mm.h 6.4+):
 * vma_start_write() marks a VMA write-locked for the rest of the mmap_lock write section
 * (vm_lock_seq = mm_lock_seq, after waiting out its readers); mmap_write_unlock() ends every
 * such section at once by bumping mm_lock_seq (vma_end_write_all).
 */
import type { Kernel, Thread } from '../kernel.js';
import type { Mm, Vma } from '../mm/mm_types.js';
import type { Path } from '../engine/task.js';

/** mmap_write_lock(). */
export function* mmap_write_lock(k: Kernel, task: Thread, mm: Mm): Path<void> {
  yield mm.mmapLock.write;
  void k;
  void task;
}

/** mmap_write_unlock(): vma_end_write_all() then up_write(). */
export function mmap_write_unlock(task: Thread, mm: Mm): void {
  mm.mmLockSeq++;
  mm.mmapLock.unlock(task);
}

/** vma_start_write(): caller holds mmap_lock for write. Waits for the VMA's readers to leave. */
export function* vma_start_write(task: Thread, vma: Vma): Path<void> {
  const mm = vma.mm;
  if (vma.vmLockSeq === mm.mmLockSeq) return;
  yield vma.lock.write;
  vma.vmLockSeq = mm.mmLockSeq;
  vma.lock.unlock(task);
}
