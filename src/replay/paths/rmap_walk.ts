/**
 * rmap_walk_anon() (mm/rmap.c): visit every VMA on the folio's anon_vma chain and, where
 * vma_address() puts the folio's index inside the VMA, the address it would be mapped at.
 *
 * Which lock keeps the walk apart from vma_adjust() is the rmap_lock policy's (docs/kernel-sources.md E):
 * - `none` (2.6.34-rc after the anon_vma_chain rework): the walk takes the folio's OWN
 *   anon_vma lock (each anon_vma had its own spinlock); vma_adjust takes no anon_vma lock, so
 *   a walk can read vm_start, vm_end, vm_pgoff between two of its stores;
 * - `vma-adjust-lock` (KAMEZAWA's test patch): as `none`, plus a per-VMA spinlock the walk takes
 *   around every vma_address() and vma_adjust holds around its stores;
 * - `anon-vma-root` (012f18004da3, 2.6.35+): one lock per anon_vma tree, the root's, taken by
 *   the walk (shared since 3.8, 4fc3f1d66b1e) and by vma_adjust (exclusive).
 * kernel.ts `newAnonVma` gives each anon_vma its own lock or the root's accordingly, so the walk
 * just takes the folio's anon_vma's lock.
 *
 * vma_address() reads vm_start and vm_pgoff as they are at that instant (Vma.addressOf): between
 * two stores of vma_adjust it computes a wrong address or skips the VMA.
 */
import type { Kernel, Thread } from '../kernel.js';
import { folio_anon_vma, type AnonVma, type AnonVmaLock, type Vma } from '../mm/mm_types.js';
import type { Folio } from '../mm/folio.js';
import type { Path } from '../engine/task.js';
import { PAGE_SIZE } from '../../ingest/schema.js';

/** Called per (vma, address); return false to stop the walk. */
export type RmapVisitor = (vma: Vma, address: number) => Path<boolean>;

/**
 * anon_vma_lock_read()/anon_vma_lock_write(): the lock that guards `av`'s chain and, under
 * anon-vma-root, every VMA's rmap fields in its tree: the root's lock, or av's own (2.6.34).
 */
export function anonVmaLockOf(k: Kernel, av: AnonVma): AnonVmaLock {
  return k.policy.rmap_lock.lockRoot ? av.root.lock : av.lock;
}

/**
 * vma_address() under KAMEZAWA's per-VMA lock when the policy has one: the lock makes the three
 * fields read together, never between two stores of one vma_adjust().
 */
export function* vma_address(task: Thread, vma: Vma, index: number): Path<number> {
  const sl = vma.adjustLock;
  if (sl === null) return vma.addressOf(index);
  yield sl.lock;
  const addr = vma.addressOf(index);
  sl.unlock(task);
  return addr;
}

/**
 * rmap_walk(): every VMA that may map `folio`. Page-cache folios (file and shmem) go through
 * rmap_walk_file() under the mapping's i_mmap_rwsem (pagecache.ts), which vma_adjust also takes
 * for file VMAs in every era; anonymous folios through rmap_walk_anon().
 */
export function rmap_walk(k: Kernel, task: Thread, folio: Folio, visit: RmapVisitor): Path<void> {
  return folio.file >= 0 ? rmap_walk_file(k, task, folio, visit) : rmap_walk_anon(k, task, folio, visit);
}

/** rmap_walk_anon(): the anon_vma chain of `folio`, under the anon_vma lock the policy names. */
export function* rmap_walk_anon(k: Kernel, task: Thread, folio: Folio, visit: RmapVisitor): Path<void> {
  const av = folio_anon_vma(folio);
  if (av === null) return;
  const lock = anonVmaLockOf(k, av);
  // anon_vma_lock_read() (2.6.34: spin_lock(&anon_vma->lock)).
  yield lock.read;
  try {
    // list_for_each_entry(avc, &anon_vma->head, same_anon_vma): a snapshot, since the chain
    // only changes under the lock in the kernel (fork and exit paths may not take it here).
    for (const vma of [...av.chain]) {
      yield k.costs.rmap_step;
      const addr = yield* vma_address(task, vma, folio.index);
      // address == -EFAULT: the folio's index falls outside the VMA as read now.
      if (addr < 0) continue;
      if (!(yield* visit(vma, addr))) break;
    }
  } finally {
    lock.unlock(task);
  }
}

/**
 * rmap_walk_file() (mm/rmap.c): every VMA of every process that maps the folio's file page (the
 * i_mmap interval tree, under i_mmap_rwsem held shared), with the address the page has there.
 */
export function* rmap_walk_file(k: Kernel, task: Thread, folio: Folio, visit: (vma: Vma, address: number) => Path<boolean>): Path<void> {
  const pc = k.pageCache;
  const as = pc.mappingOfFolio(folio);
  if (as === undefined) return;
  yield as.iMmapRwsem.read;
  try {
    for (const mm of [...k.mms.values()]) {
      if (mm.dead) continue;
      for (const vma of [...mm.vmas]) {
        if (!pc.maps(vma, as)) continue;
        yield k.costs.rmap_step;
        const off = folio.index - vma.vmPgoff;
        if (off < 0 || off >= vma.pages) continue;
        if (!(yield* visit(vma, vma.vmStart + off * PAGE_SIZE))) return;
      }
    }
  } finally {
    as.iMmapRwsem.unlock(task);
  }
}

