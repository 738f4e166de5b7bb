/**
 * The locked-folio step every merged fault_lock variant shares (folio_lock_or_retry(),
 * mm/filemap.c, d065bd810b6d, 2.6.37 on): a first try that may retry drops its fault lock, waits
 * for the folio and returns VM_FAULT_RETRY; a retry (FAULT_FLAG_TRIED), or a fault without
 * FAULT_FLAG_ALLOW_RETRY (mmap-noretry), sleeps on the folio lock holding its fault lock.
 */
import type { Path } from '../../../engine/task.js';
import type { LockedFolioFault } from '../../types.js';

export function retryFirstTry(f: LockedFolioFault): Path {
  return f.mayRetry ? f.dropLockWaitRetry() : f.sleepHoldingLock();
}
