/**
 * The address-space types (include/linux/mm_types.h, and anon_vma from include/linux/rmap.h):
 * mm_struct, vm_area_struct and anon_vma, in one module because each points at the others (a
 * VMA's vm_mm, an mm's VMAs, a VMA's anon_vma chain and an anon_vma's VMAs).
 */
import { InvariantError } from '../../util/errors.js';
import { PAGE_SHIFT, PAGE_SIZE } from '../../ingest/schema.js';
import type { Block, Task } from '../engine/task.js';
import type { RwSem } from '../locks/rwsem.js';
import type { SpinLock } from '../locks/spinlock.js';
import type { FolioStore } from './folio_store.js';
import { PageTables } from './pagetable.js';

/**
 * mm_struct: one address space (one pid). mmap_lock, mm_lock_seq (per-VMA locking), the VMAs in
 * address order, the page tables, MMF_HAS_PINNED, and the threads using it.
 */
export class Mm {
  /** mm->mm_lock_seq: bumped when mmap_lock is write-unlocked (vma_end_write_all). */
  mmLockSeq = 0;
  /** VMAs sorted by vm_start, non-overlapping. */
  readonly vmas: Vma[] = [];
  readonly pt: PageTables;
  /** MMF_HAS_PINNED: set on the first FOLL_PIN, never cleared (008cfe4418b3). */
  hasPinned = false;
  /** mm->write_protect_seq (57efa1fe5957): odd while fork write-protects this mm's PTEs. */
  writeProtectSeq = 0;
  /** Live threads; the last exit tears the mm down. */
  users = 0;
  /** Oracle view id of this process's private memory. */
  view = 0;
  dead = false;

  constructor(
    readonly pid: number,
    readonly mmapLock: RwSem,
    makePtl: () => SpinLock,
    folios: FolioStore,
  ) {
    this.pt = new PageTables(makePtl, folios);
  }

  /** find_vma_intersection(addr, addr+1): the VMA containing addr, or null. Binary search. */
  findVma(addr: number): Vma | null {
    const v = this.vmas;
    let lo = 0;
    let hi = v.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = v[mid]!;
      if (addr < m.vmStart) hi = mid - 1;
      else if (addr >= m.vmEnd) lo = mid + 1;
      else return m;
    }
    return null;
  }

  /** Index of the first VMA ending after `addr`. */
  firstIndexFrom(addr: number): number {
    const v = this.vmas;
    let lo = 0;
    let hi = v.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v[mid]!.vmEnd <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** VMAs intersecting [start, end), in address order. */
  vmasIn(start: number, end: number): Vma[] {
    const out: Vma[] = [];
    for (let i = this.firstIndexFrom(start); i < this.vmas.length; i++) {
      const m = this.vmas[i]!;
      if (m.vmStart >= end) break;
      out.push(m);
    }
    return out;
  }

  /** Insert a VMA keeping address order; overlapping an existing VMA is a bug of the caller. */
  insertVma(vma: Vma): void {
    const i = this.firstIndexFrom(vma.vmStart);
    const next = this.vmas[i];
    if (next !== undefined && next.vmStart < vma.vmEnd) {
      throw new InvariantError(`inserting ${vma} overlaps ${next}`, `mm ${this.pid}`);
    }
    this.vmas.splice(i, 0, vma);
  }

  removeVma(vma: Vma): void {
    const i = this.vmas.indexOf(vma);
    if (i >= 0) this.vmas.splice(i, 1);
    vma.detached = true;
  }

  /** True while `vma` is write-locked by an mmap_lock writer (vma->vm_lock_seq == mm->mm_lock_seq). */
  vmaWriteLocked(vma: Vma): boolean {
    return vma.vmLockSeq === this.mmLockSeq;
  }
}

/**
 * vm_area_struct: the fields a fault, an rmap walk and vma_adjust touch. vm_start, vm_end and
 * vm_pgoff are plain fields that vma_adjust writes as separate stores (docs/kernel-sources.md E); an rmap walk
 * reading them in between sees a mix. The per-VMA lock (6.4+) is an rwsem plus vm_lock_seq:
 * the VMA counts as write-locked while vm_lock_seq equals its mm's mm_lock_seq.
 */
export const VM_READ = 1;
export const VM_WRITE = 2;
export const VM_SHARED = 4;
/** Marks a file-backed VMA (vma->vm_file != NULL). */
export const VM_FILE = 8;
/** madvise(MADV_DONTFORK). */
export const VM_DONTCOPY = 16;

/** VMA-based swap readahead state (vma->swap_readahead_info, 4.14+): last fault page, window, hits. */
export interface SwapRaInfo {
  vpn: number;
  win: number;
  hits: number;
}

export class Vma {
  /** vma->swap_readahead_info, set by the first swap-in readahead (paths/swapin_readahead.ts). */
  swapRa: SwapRaInfo | null = null;
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

/**
 * anon_vma (mm/rmap.c): the object anonymous folios point to, listing (through the
 * anon_vma_chain) every VMA that may map them, so an rmap walk can find all PTEs of a folio.
 * Forked VMAs join their parent's chains (anon_vma_clone) and get an anon_vma of their own whose
 * root is the oldest ancestor's (anon_vma_fork). The lock is an rwsem since 3.8, taken shared by
 * rmap walks; which anon_vma's lock a path takes is the rmap_lock policy's business.
 */
/**
 * The anon_vma lock as paths take it: `read` for rmap walks, `write` for changes. An rwsem
 * (3.8+, RwSem fits this shape) or, in 2.6.34, a spinlock whose read and write both take it.
 */
export interface AnonVmaLock {
  readonly read: Block;
  readonly write: Block;
  unlock(task: Task): void;
}

/** A 2.6.34 anon_vma spinlock (spin_lock(&anon_vma->lock)) in the AnonVmaLock shape. */
export function spinAnonVmaLock(sl: SpinLock): AnonVmaLock {
  return { read: sl.lock, write: sl.lock, unlock: (t) => sl.unlock(t) };
}

export class AnonVma {
  /** VMAs on this anon_vma's chain, in the order they joined (deterministic walk order). */
  readonly chain: Vma[] = [];
  readonly root: AnonVma;

  constructor(
    readonly id: number,
    readonly lock: AnonVmaLock,
    root: AnonVma | null,
  ) {
    this.root = root ?? this;
  }

  link(vma: Vma): void {
    if (!this.chain.includes(vma)) this.chain.push(vma);
  }

  unlink(vma: Vma): void {
    const i = this.chain.indexOf(vma);
    if (i >= 0) this.chain.splice(i, 1);
  }
}

/**
 * folio_anon_vma() (mm/rmap.c): the anon_vma an anonymous folio's mapping points to, or null.
 * The folio keeps it opaque, as the kernel keeps folio->mapping a tagged pointer it casts here;
 * only AnonVma objects are ever stored as an object mapping (copy_page_range, do_anonymous_page,
 * do_swap_page, migrate_pages set it from vma->anon_vma).
 */
export function folio_anon_vma(folio: { readonly anonVma: object | null }): AnonVma | null {
  return folio.anonVma as AnonVma | null;
}
