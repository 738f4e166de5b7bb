/** rmap_lock=none: vma_adjust stores under mmap_lock only; rmap walks lock the own anon_vma of the folio. Mirrors 2.6.34-rc after the anon_vma_chain rework. */
import type { RmapLockVariant } from '../../types.js';

export const rmapLockNone: RmapLockVariant = {
  name: 'none',
  commit: '2.6.34-rc after the anon_vma_chain rework',
  summary: 'vma_adjust stores under mmap_lock only; rmap walks lock the own anon_vma of the folio',
  lockRoot: false,
  perVmaAdjustLock: false,
  anonVmaLock: 'spinlock',
};
