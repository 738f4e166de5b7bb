/**
 * folio_lock_or_retry() / __folio_lock_or_retry() (mm/filemap.c; __lock_page_or_retry before
 * 6.5): a fault that needs a locked folio. The trylock succeeds when nobody holds it. Otherwise:
 * - first try with FAULT_FLAG_ALLOW_RETRY (d065bd810b6d, 2.6.37): release_fault_lock() (the
 *   VMA read lock or mmap_lock, whichever the fault holds), folio_wait_locked(), return
 *   VM_FAULT_RETRY so the caller retries under mmap_lock with FAULT_FLAG_TRIED;
 * - a retry (FAULT_FLAG_TRIED), or no ALLOW_RETRY at all (fault_lock=mmap-noretry): sleep on the
 *   folio lock holding the fault lock (__folio_lock);
 * - fault_lock=vma-wait (Matthew Wilcox's proposal, not merged): a VMA-locked fault also sleeps
 *   holding its VMA read lock instead of retrying.
 */
import { folioLock, folioWaitLocked, folio_trylock } from '../locks/folio_lock.js';
import type { Folio } from '../mm/folio.js';
import { VM_FAULT_RETRY, type VmFault } from './vm_fault.js';
import type { Path } from '../engine/task.js';

/** 0 with the folio locked, or VM_FAULT_RETRY with the fault lock released and the folio not locked. */
export function* folio_lock_or_retry(vmf: VmFault, folio: Folio): Path {
  const { k, task } = vmf;
  const env = k.lockEnv;
  if (folio_trylock(env, folio, task)) {
    yield env.uncontended;
    return 0;
  }
  const holdVmaLock = vmf.vmaLocked && k.policy.fault_lock.waitHoldingVmaLock;
  if (vmf.mayRetry && !holdVmaLock) {
    // release_fault_lock(); folio_wait_locked(); return VM_FAULT_RETRY
    vmf.releaseFaultLock();
    k.stats.count('folio_lock_retries');
    yield folioWaitLocked(env, folio);
    return VM_FAULT_RETRY;
  }
  // __folio_lock(): sleep with the fault lock held.
  k.stats.count(vmf.vmaLocked ? 'folio_lock_waits_vma_locked' : 'folio_lock_waits_mmap_locked');
  yield folioLock(env, folio);
  return 0;
}
