/** rmap_lock=anon-vma-root: vma_adjust and rmap walks both lock the root anon_vma. Mirrors 5c341ee1dfc8, 012f18004da3 (2.6.36). */
import type { RmapLockVariant } from '../../types.js';

export const rmapLockAnonVmaRoot: RmapLockVariant = {
  name: 'anon-vma-root',
  commit: '5c341ee1dfc8, 012f18004da3 (2.6.36)',
  summary: 'vma_adjust and rmap walks both lock the root anon_vma',
  lockRoot: true,
  perVmaAdjustLock: false,
  anonVmaLock: 'rwsem',
};
