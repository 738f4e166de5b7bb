/** file_fault_lock=vma: file read faults handled under the VMA lock. Mirrors 6.7+ (12214eba1992 and siblings). */
import type { FileFaultLockVariant } from '../../types.js';

export const fileFaultLockVma: FileFaultLockVariant = {
  name: 'vma',
  commit: '6.7+ (12214eba1992 and siblings)',
  summary: 'file read faults handled under the VMA lock',
  vmaLockFile: true,
  retryFileUnderVmaLock: false,
};
