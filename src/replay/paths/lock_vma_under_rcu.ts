/**
 * lock_vma_under_rcu() (mm/memory.c, 6.4+): find the VMA without mmap_lock and read-lock it.
 * Fails when there is no VMA, when it is write-locked (vm_lock_seq == mm_lock_seq, set by an
 * mmap_lock writer until it unlocks), when the read trylock fails, or when the policy does not
 * handle that kind of VMA under the VMA lock (6.4: anonymous only). The caller then falls back
 * to lock_mm_and_find_vma() under mmap_lock.
 *
 * Costs (charged by the caller, do_user_addr_fault): the checks beyond the mmap_lock path's
 * find_vma as `vma_start_read`, then the lock word's cache line via `vma.lock.cost()`. In 6.4-6.12
 * the rwsem is a separately allocated `struct vma_lock` (v4 33/33, "mm: separate vma->lock from
 * vm_area_struct"): its own line, apart from mmap_lock's and from the VMA's fields, which a fault
 * only reads (read-shared lines cost no transfer). docs/calibration.md, "pft-threads".
 */
import type { Kernel, Thread } from '../kernel.js';
import type { Mm, Vma } from '../mm/mm_types.js';

export function lock_vma_under_rcu(k: Kernel, task: Thread, mm: Mm, address: number): Vma | null {
  const vma = mm.findVma(address);
  if (vma === null) return null;
  // 6.4: "Only anonymous vmas are supported for now"; 6.5+ accept file VMAs (file_fault_lock).
  if (vma.file >= 0 || vma.isShared()) {
    if (!k.policy.file_fault_lock.vmaLockFile) return null;
  } else if (!k.policy.fault_lock.vmaLock) return null;
  // 6.4-6.9: "if (!vma->anon_vma) goto inval": the first fault of a fresh anonymous VMA takes
  // mmap_lock (6.10+ prepares it under the VMA lock: vmf_anon_prepare).
  else if (vma.anonVma === null && k.policy.era.anonVmaUnderVmaLock === 'bail') return null;
  // vma_start_read(): fail fast if write-locked, then trylock, then re-check the sequence.
  if (mm.vmaWriteLocked(vma)) return null;
  if (!vma.lock.tryLock(task, false)) return null;
  if (mm.vmaWriteLocked(vma)) {
    vma.lock.unlock(task);
    return null;
  }
  return vma;
}
