/**
 * rmap_walk_anon() (mm/rmap.c): visit every VMA on the folio's anon_vma chain and, where
 * vma_address() puts the folio's index inside the VMA, the address it would be mapped at. Which
 * lock the walk holds is the rmap_lock policy's: the root anon_vma's (2.6.35+), the folio's own
 * anon_vma's (2.6.34), plus a per-VMA spinlock around vma_address() (KAMEZAWA's test patch).
 */
import type { Kernel, Thread } from '../kernel.js';
import type { Folio } from './folio.js';
import type { Vma } from './vma.js';
import type { Path } from '../paths/vm_fault.js';

/** Called per (vma, address); return false to stop the walk. */
export type RmapVisitor = (vma: Vma, address: number) => Path<boolean>;

export function* rmap_walk(k: Kernel, task: Thread, folio: Folio, visit: RmapVisitor): Path<void> {
  const av = folio.anonVma;
  if (av === null) return;
  // anon_vma_lock_read(): the rwsem is shared by the whole tree (root's) in this model.
  const lock = av.root.lock;
  yield lock.read;
  try {
    for (const vma of [...av.chain]) {
      yield k.costs.rmap_step;
      let addr: number;
      if (vma.adjustLock !== null) {
        yield vma.adjustLock.lock;
        addr = vma.addressOf(folio.index);
        vma.adjustLock.unlock(task);
      } else addr = vma.addressOf(folio.index);
      if (addr < 0) continue;
      if (!(yield* visit(vma, addr))) break;
    }
  } finally {
    lock.unlock(task);
  }
}
