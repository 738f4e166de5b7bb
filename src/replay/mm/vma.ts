/**
 * vm_area_struct: the fields a fault, an rmap walk and vma_adjust touch. vm_start, vm_end and
 * vm_pgoff are plain fields that vma_adjust writes as separate stores (KERNEL.md E); an rmap walk
 * reading them in between sees a mix. The per-VMA lock (6.4+) is an rwsem plus vm_lock_seq:
 * the VMA counts as write-locked while vm_lock_seq equals its mm's mm_lock_seq.
 */
import { PAGE_SHIFT, PAGE_SIZE } from '../../ingest/schema.js';
import type { RwSem } from '../locks/rwsem.js';
import type { SpinLock } from '../locks/spinlock.js';
import type { AnonVma } from './anon_vma.js';
import type { Mm } from './mm.js';

export const VM_READ = 1;
export const VM_WRITE = 2;
export const VM_SHARED = 4;
/** Marks a file-backed VMA (vma->vm_file != NULL). */
export const VM_FILE = 8;
/** madvise(MADV_DONTFORK). */
export const VM_DONTCOPY = 16;

export class Vma {
  /** Every VMA anon_vmas may chain, each with the anon_vmas it is on (anon_vma_chain). */
  readonly anonChains: AnonVma[] = [];
  /** Per-VMA lock's vm_lock_seq; -1 = never write-locked. */
  vmLockSeq = -1;
  /** KAMEZAWA's per-VMA spinlock around vma_adjust stores (rmap_lock=vma-adjust-lock only). */
  adjustLock: SpinLock | null = null;
  /** Removed from its mm (munmap, exit): caches holding it must look again. */
  detached = false;
  /** Shared-memory object id (MAP_SHARED anonymous or file), for the oracle and page cache. */
  sharedObject = -1;

  constructor(
    readonly mm: Mm,
    public vmStart: number,
    public vmEnd: number,
    public vmPgoff: number,
    public flags: number,
    readonly lock: RwSem,
    /** File id for file-backed VMAs, -1 otherwise. */
    readonly file = -1,
  ) {}

  /** The anon_vma new anonymous folios of this VMA point to (vma->anon_vma). */
  anonVma: AnonVma | null = null;

  get pages(): number {
    return (this.vmEnd - this.vmStart) / PAGE_SIZE;
  }

  contains(addr: number): boolean {
    return addr >= this.vmStart && addr < this.vmEnd;
  }

  /** linear_page_index(): the page index of `addr` within this VMA's object. */
  linearIndex(addr: number): number {
    return this.vmPgoff + Math.floor((addr - this.vmStart) / PAGE_SIZE);
  }

  /**
   * vma_address(): where page `index` would be mapped in this VMA, reading vm_start and vm_pgoff
   * as they are now; -1 when it falls outside [vm_start, vm_end) (the walk skips the VMA).
   */
  addressOf(index: number): number {
    const addr = this.vmStart + (index - this.vmPgoff) * PAGE_SIZE;
    return addr >= this.vmStart && addr < this.vmEnd ? addr : -1;
  }

  isAnon(): boolean {
    return this.file < 0 && (this.flags & VM_SHARED) === 0;
  }

  isWritable(): boolean {
    return (this.flags & VM_WRITE) !== 0;
  }

  isShared(): boolean {
    return (this.flags & VM_SHARED) !== 0;
  }

  toString(): string {
    return `vma[0x${this.vmStart.toString(16)}-0x${this.vmEnd.toString(16)} pgoff ${this.vmPgoff}]`;
  }
}

/** Page number of an address. */
export function vpnOf(addr: number): number {
  return Math.floor(addr / PAGE_SIZE);
}

export { PAGE_SHIFT };
