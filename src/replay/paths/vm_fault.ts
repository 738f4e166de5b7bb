/**
 * struct vm_fault and the fault return codes (include/linux/mm_types.h, mm.h): what a fault
 * carries between handle_mm_fault's helpers, including which lock it holds, so a path that
 * must drop it (release_fault_lock) drops the right one.
 */
import type { Kernel, Thread } from '../kernel.js';
import type { Mm, Vma } from '../mm/mm_types.js';
import { PAGE_SIZE } from '../../ingest/schema.js';

/** vm_fault_t bits. */
export const VM_FAULT_OK = 0;
export const VM_FAULT_MAJOR = 4;
export const VM_FAULT_SIGSEGV = 0x40;
export const VM_FAULT_RETRY = 0x400;
export const VM_FAULT_COMPLETED = 0x4000;

/** FAULT_FLAG_* bits. */
export const FAULT_FLAG_WRITE = 1;
export const FAULT_FLAG_ALLOW_RETRY = 4;
export const FAULT_FLAG_TRIED = 0x20;
export const FAULT_FLAG_VMA_LOCK = 0x1000;
/** FAULT_FLAG_UNSHARE: a GUP R/O pin asking to unshare a possibly shared anon page. */
export const FAULT_FLAG_UNSHARE = 0x400;

export class VmFault {
  readonly vpn: number;
  readonly index: number;
  constructor(
    readonly k: Kernel,
    readonly task: Thread,
    readonly mm: Mm,
    readonly vma: Vma,
    readonly address: number,
    public flags: number,
  ) {
    this.vpn = Math.floor(address / PAGE_SIZE);
    this.index = vma.pages >= 0 ? vma.linearIndex(address) : 0;
  }

  get write(): boolean {
    return (this.flags & FAULT_FLAG_WRITE) !== 0;
  }

  get vmaLocked(): boolean {
    return (this.flags & FAULT_FLAG_VMA_LOCK) !== 0;
  }

  /** FAULT_FLAG_ALLOW_RETRY set and FAULT_FLAG_TRIED not: the first try may drop the lock. */
  get mayRetry(): boolean {
    return (this.flags & FAULT_FLAG_ALLOW_RETRY) !== 0 && (this.flags & FAULT_FLAG_TRIED) === 0;
  }

  /** release_fault_lock(): drop the VMA read lock or mmap_lock, whichever the fault holds. */
  releaseFaultLock(): void {
    if (this.vmaLocked) this.vma.lock.unlock(this.task);
    else this.mm.mmapLock.unlock(this.task);
  }
}
