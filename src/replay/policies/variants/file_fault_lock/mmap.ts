/** file_fault_lock=mmap: file faults always take mmap_lock. Mirrors before 6.6 (6.4-6.5: lock_vma_under_rcu() refuses non-anonymous VMAs). */
import type { FileFaultLockVariant } from '../../types.js';

export const fileFaultLockMmap: FileFaultLockVariant = {
  name: 'mmap',
  commit: 'before 6.6 (6.4-6.5: lock_vma_under_rcu() refuses non-anonymous VMAs)',
  summary: 'file faults always take mmap_lock',
  vmaLockFile: false,
  retryFileUnderVmaLock: false,
};
