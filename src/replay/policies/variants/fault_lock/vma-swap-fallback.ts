/** fault_lock=vma-swap-fallback: anonymous faults under the VMA lock; do_swap_page returns VM_FAULT_RETRY at once, so swap faults take mmap_lock. Mirrors 6.4-6.5 (per-VMA locks, 50ee32537206 series; swap under the VMA lock only from 6.6). */
import type { FaultLockVariant } from '../../types.js';
import { retryFirstTry } from './retry_first_try.js';

export const faultLockVmaSwapFallback: FaultLockVariant = {
  name: 'vma-swap-fallback',
  commit: '6.4-6.5 (per-VMA locks, 50ee32537206 series; swap under the VMA lock only from 6.6)',
  summary: 'anonymous faults under the VMA lock; do_swap_page returns VM_FAULT_RETRY at once, so swap faults take mmap_lock',
  vmaLock: true,
  swapRetriesUnderVmaLock: true,
  allowRetry: true,
  lockedFolio: retryFirstTry,
};
