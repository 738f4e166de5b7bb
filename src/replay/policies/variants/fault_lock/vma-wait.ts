/** fault_lock=vma-wait: a VMA-locked fault sleeps on a locked folio holding the VMA read lock; no retry. Mirrors proposed by Matthew Wilcox in the seed thread, not merged. */
import type { FaultLockVariant } from '../../types.js';

export const faultLockVmaWait: FaultLockVariant = {
  name: 'vma-wait',
  commit: 'proposed by Matthew Wilcox in the seed thread, not merged',
  summary: 'a VMA-locked fault sleeps on a locked folio holding the VMA read lock; no retry',
  vmaLock: true,
  swapRetriesUnderVmaLock: false,
  allowRetry: true,
  // The proposal's one change: a VMA-locked fault sleeps on the folio holding its VMA read lock
  // instead of retrying; a fault under mmap_lock behaves as under `mmap`.
  lockedFolio: (f) => (f.mayRetry && !f.vmaLocked ? f.dropLockWaitRetry() : f.sleepHoldingLock()),
};
