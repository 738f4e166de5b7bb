/**
 * mm_struct: one address space (one pid). mmap_lock, mm_lock_seq (per-VMA locking), the VMAs in
 * address order, the page tables, MMF_HAS_PINNED, and the threads using it.
 */
import { InvariantError } from '../../util/errors.js';
import type { RwSem } from '../locks/rwsem.js';
import { PageTables } from './pagetable.js';
import type { FolioStore } from './folio.js';
import type { SpinLock } from '../locks/spinlock.js';
import type { Vma } from './vma.js';

export class Mm {
  /** mm->mm_lock_seq: bumped when mmap_lock is write-unlocked (vma_end_write_all). */
  mmLockSeq = 0;
  /** VMAs sorted by vm_start, non-overlapping. */
  readonly vmas: Vma[] = [];
  readonly pt: PageTables;
  /** MMF_HAS_PINNED: set on the first FOLL_PIN, never cleared (008cfe4418b3). */
  hasPinned = false;
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
