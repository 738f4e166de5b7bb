/** fault_lock=mmap: FAULT_FLAG_ALLOW_RETRY: first try drops mmap_lock, waits for the folio, retries; the retry sleeps holding it. Mirrors d065bd810b6d (2.6.37) to 6.3. */
import type { FaultLockVariant } from '../../types.js';
import { retryFirstTry } from './retry_first_try.js';

export const faultLockMmap: FaultLockVariant = {
  name: 'mmap',
  commit: 'd065bd810b6d (2.6.37) to 6.3',
  summary: 'FAULT_FLAG_ALLOW_RETRY: first try drops mmap_lock, waits for the folio, retries; the retry sleeps holding it',
  vmaLock: false,
  swapRetriesUnderVmaLock: false,
  allowRetry: true,
  lockedFolio: retryFirstTry,
};
