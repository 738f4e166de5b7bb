/** rmap_lock=vma-adjust-lock: a per-VMA spinlock around vma_adjust stores and every vma_address(). Mirrors KAMEZAWA Hiroyuki test patch in the 2010 thread. */
import type { RmapLockVariant } from '../../types.js';

export const rmapLockVmaAdjustLock: RmapLockVariant = {
  name: 'vma-adjust-lock',
  commit: 'KAMEZAWA Hiroyuki test patch in the 2010 thread',
  summary: 'a per-VMA spinlock around vma_adjust stores and every vma_address()',
  lockRoot: false,
  perVmaAdjustLock: true,
  anonVmaLock: 'spinlock',
};
