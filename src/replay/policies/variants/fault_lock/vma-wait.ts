/** fault_lock=vma-wait: a VMA-locked fault sleeps on a locked folio holding the VMA read lock; no retry. Mirrors proposed by Matthew Wilcox in the seed thread, not merged. */
import type { FaultLockVariant } from '../../types.js';

export const faultLockVmaWait: FaultLockVariant = {
  name: 'vma-wait',
  commit: 'proposed by Matthew Wilcox in the seed thread, not merged',
  summary: 'a VMA-locked fault sleeps on a locked folio holding the VMA read lock; no retry',
  vmaLock: true,
  swapRetriesUnderVmaLock: false,
  allowRetry: true,
  waitHoldingVmaLock: true,
};
