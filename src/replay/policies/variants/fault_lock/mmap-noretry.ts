/** fault_lock=mmap-noretry: mmap_lock for read; lock_page() sleeps for the whole read with it held. Mirrors before d065bd810b6d (2.6.37). */
import type { FaultLockVariant } from '../../types.js';
import { retryFirstTry } from './retry_first_try.js';

export const faultLockMmapNoretry: FaultLockVariant = {
  name: 'mmap-noretry',
  commit: 'before d065bd810b6d (2.6.37)',
  summary: 'mmap_lock for read; lock_page() sleeps for the whole read with it held',
  vmaLock: false,
  swapRetriesUnderVmaLock: false,
  allowRetry: false,
  lockedFolio: retryFirstTry,
};
