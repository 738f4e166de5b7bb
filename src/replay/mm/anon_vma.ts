/**
 * anon_vma (mm/rmap.c): the object anonymous folios point to, listing (through the
 * anon_vma_chain) every VMA that may map them, so an rmap walk can find all PTEs of a folio.
 * Forked VMAs join their parent's chains (anon_vma_clone) and get an anon_vma of their own whose
 * root is the oldest ancestor's (anon_vma_fork). The lock is an rwsem since 3.8, taken shared by
 * rmap walks; which anon_vma's lock a path takes is the rmap_lock policy's business.
 */
import type { Block, Task } from '../engine/task.js';
import type { SpinLock } from '../locks/spinlock.js';
import type { Vma } from './vma.js';

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
