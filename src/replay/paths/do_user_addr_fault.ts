/**
 * do_user_addr_fault() (arch/x86/mm/fault.c): the page-fault entry. Try the per-VMA lock; on
 * failure or VM_FAULT_RETRY fall back to mmap_lock (lock_mm_and_find_vma) and retry with
 * FAULT_FLAG_TRIED for as long as handle_mm_fault asks. A VMA-locked fault that returned RETRY
 * carries FAULT_FLAG_TRIED into the mmap_lock path only after a major fault (46e714c729c8, the
 * 6.8 fix of a 6.7 regression; docs/kernel-sources.md A); we model that for every VMA-lock variant.
 */
import type { Kernel, Thread } from '../kernel.js';
import { VM_READ, VM_WRITE, type Vma } from '../mm/mm_types.js';
import { handle_mm_fault } from './handle_mm_fault.js';
import { lock_vma_under_rcu } from './lock_vma_under_rcu.js';
import { FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_TRIED, FAULT_FLAG_VMA_LOCK, FAULT_FLAG_WRITE, VM_FAULT_COMPLETED, VM_FAULT_MAJOR, VM_FAULT_RETRY, VM_FAULT_SIGSEGV, VmFault } from './vm_fault.js';
import type { Path } from '../engine/task.js';

/**
 * access_error() (arch/x86/mm/fault.c): a write to a VMA without VM_WRITE, or any access to one
 * without VM_READ (PROT_NONE), is a bad-area access: SIGSEGV, not a fault to handle.
 */
export function access_error(write: boolean, vma: Vma): boolean {
  return write ? (vma.flags & VM_WRITE) === 0 : (vma.flags & VM_READ) === 0;
}

/** Handle one fault at `address`; returns the final vm_fault_t (SIGSEGV when no VMA). */
export function* do_user_addr_fault(k: Kernel, task: Thread, address: number, write: boolean): Path {
  const mm = task.mm;
  const c = k.costs;
  // One fault however many times it retries (docs/design.md section 5, `faults`).
  k.stats.summary.faults++;
  if (!task.runAhead(c.fault_entry)) yield c.fault_entry;
  let flags = (write ? FAULT_FLAG_WRITE : 0) | (k.policy.fault_lock.allowRetry ? FAULT_FLAG_ALLOW_RETRY : 0);
  let major = 0;

  const vma = lock_vma_under_rcu(k, task, mm, address);
  if (vma !== null) {
    // vma_start_read()'s sequence checks and the walk's re-checks, then the vm_lock's line.
    const lockCost = c.vma_start_read + vma.lock.cost(task);
    if (!task.runAhead(lockCost)) yield lockCost;
    if (access_error(write, vma)) {
      // bad_area_access_error() under the VMA lock.
      yield vma.lock.unlock(task);
      return VM_FAULT_SIGSEGV;
    }
    const vmf = new VmFault(k, task, mm, vma, address, flags | FAULT_FLAG_VMA_LOCK);
    const r = (yield handle_mm_fault(vmf)) as number;
    // vma_end_read(): up_read() is an atomic on the vm_lock's count word.
    if ((r & (VM_FAULT_RETRY | VM_FAULT_COMPLETED)) === 0) {
      const u = vma.lock.unlock(task);
      if (!task.runAhead(u)) yield u;
    }
    if ((r & VM_FAULT_RETRY) === 0) return r;
    task.retries++;
    k.stats.count('fault_retries');
    major |= r & VM_FAULT_MAJOR;
    // 6.7+ (46e714c729c8): a major fault's retry from the VMA-lock path is marked TRIED.
    if ((r & VM_FAULT_MAJOR) !== 0 && k.policy.era.vmaRetryTried) flags |= FAULT_FLAG_TRIED;
  } else if (mm.findVma(address) !== null && (k.policy.fault_lock.vmaLock || k.policy.file_fault_lock.vmaLockFile)) {
    k.stats.count('vma_lock_fallbacks');
  }

  for (;;) {
    // lock_mm_and_find_vma(): mmap_read_lock, find_vma.
    yield mm.mmapLock.read;
    const v = mm.findVma(address);
    if (v === null || access_error(write, v)) {
      mm.mmapLock.unlock(task);
      return VM_FAULT_SIGSEGV;
    }
    const vmf = new VmFault(k, task, mm, v, address, flags);
    const r = (yield handle_mm_fault(vmf)) as number;
    major |= r & VM_FAULT_MAJOR;
    if ((r & VM_FAULT_RETRY) !== 0) {
      // The lock was released inside; retry with FAULT_FLAG_TRIED.
      task.retries++;
      k.stats.count('fault_retries');
      flags |= FAULT_FLAG_TRIED;
      continue;
    }
    // mmap_read_unlock(): up_read() is an atomic on mmap_lock's count word.
    if ((r & VM_FAULT_COMPLETED) === 0) yield mm.mmapLock.unlock(task);
    return r | major;
  }
}
