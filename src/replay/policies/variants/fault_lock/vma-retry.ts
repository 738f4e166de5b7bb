/** fault_lock=vma-retry: swap faults under the VMA lock; a locked folio makes the first try release the VMA lock, wait and retry via mmap_lock. Mirrors 6.6+ (1235ccd05b6d, series "Per-VMA lock support for swap and userfaults"; seed lore 20230414180043.1839745-1-surenb@google.com). */
import type { FaultLockVariant } from '../../types.js';
import { retryFirstTry } from './retry_first_try.js';

export const faultLockVmaRetry: FaultLockVariant = {
  name: 'vma-retry',
  commit: '6.6+ (1235ccd05b6d, series "Per-VMA lock support for swap and userfaults"; seed lore 20230414180043.1839745-1-surenb@google.com)',
  summary: 'swap faults under the VMA lock; a locked folio makes the first try release the VMA lock, wait and retry via mmap_lock',
  vmaLock: true,
  swapRetriesUnderVmaLock: false,
  allowRetry: true,
  lockedFolio: retryFirstTry,
};
