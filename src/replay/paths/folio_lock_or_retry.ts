/**
 * folio_lock_or_retry() / __folio_lock_or_retry() (mm/filemap.c; __lock_page_or_retry before
 * 6.5): a fault that needs a locked folio. The trylock succeeds when nobody holds it. Otherwise
 * the fault_lock variant decides (its `lockedFolio` hook) between the two steps this module
 * offers (LockedFolioFault):
 * - `dropLockWaitRetry`: release_fault_lock() (the VMA read lock or mmap_lock, whichever the
 *   fault holds), folio_wait_locked(), return VM_FAULT_RETRY so the caller retries under
 *   mmap_lock with FAULT_FLAG_TRIED (d065bd810b6d, 2.6.37: a first try with ALLOW_RETRY);
 * - `sleepHoldingLock`: __folio_lock(), sleep on the folio lock holding the fault lock (a retry,
 *   no ALLOW_RETRY at all as in mmap-noretry, or vma-wait's VMA-locked fault).
 */
import { folioLock, folioWaitLocked, folio_trylock } from '../locks/folio_lock.js';
import type { Folio } from '../mm/folio.js';
import { VM_FAULT_RETRY, type VmFault } from './vm_fault.js';
import type { LockedFolioFault } from '../policies/types.js';
import type { Path } from '../engine/task.js';

/** 0 with the folio locked, or VM_FAULT_RETRY with the fault lock released and the folio not locked. */
export function* folio_lock_or_retry(vmf: VmFault, folio: Folio): Path {
  const { k, task } = vmf;
  const env = k.lockEnv;
  if (folio_trylock(env, folio, task)) {
    yield env.uncontended;
    return 0;
  }
  return yield* k.policy.fault_lock.lockedFolio(new LockedFolio(vmf, folio));
}

/** The steps a fault_lock variant chooses from for a fault on a locked folio. */
class LockedFolio implements LockedFolioFault {
  constructor(
    private readonly vmf: VmFault,
    private readonly folio: Folio,
  ) {}

  get mayRetry(): boolean {
    return this.vmf.mayRetry;
  }

  get vmaLocked(): boolean {
    return this.vmf.vmaLocked;
  }

  *dropLockWaitRetry(): Path {
    const { k } = this.vmf;
    // release_fault_lock(); folio_wait_locked(); return VM_FAULT_RETRY
    this.vmf.releaseFaultLock();
    k.stats.count('folio_lock_retries');
    yield folioWaitLocked(k.lockEnv, this.folio);
    return VM_FAULT_RETRY;
  }

  *sleepHoldingLock(): Path {
    const { k } = this.vmf;
    // __folio_lock(): sleep with the fault lock held.
    k.stats.count(this.vmf.vmaLocked ? 'folio_lock_waits_vma_locked' : 'folio_lock_waits_mmap_locked');
    yield folioLock(k.lockEnv, this.folio);
    return 0;
  }
}
