/** file_fault_lock=vma-fallback: file faults start under the VMA lock, then VM_FAULT_RETRY to mmap_lock. Mirrors 6.6 (350f6bbca1de; v1 lore 20230404135850.3673404-2-willy@infradead.org). */
import type { FileFaultLockVariant } from '../../types.js';

export const fileFaultLockVmaFallback: FileFaultLockVariant = {
  name: 'vma-fallback',
  commit: '6.6 (350f6bbca1de; v1 lore 20230404135850.3673404-2-willy@infradead.org)',
  summary: 'file faults start under the VMA lock, then VM_FAULT_RETRY to mmap_lock',
  vmaLockFile: true,
  retryFileUnderVmaLock: true,
};
