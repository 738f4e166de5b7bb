/**
 * vma_adjust() (mm/mmap.c, 2.6.34; vma_prepare/vma_set_range/vma_complete in mm/vma.c today):
 * change a VMA's range and pgoff, moving the boundary with the next VMA, removing VMAs it now
 * covers, or inserting the upper part of a split. Caller holds mmap_lock for write.
 *
 * The stores to vm_start, vm_end, vm_pgoff (and next's vm_start, vm_pgoff when the boundary
 * moves) are separate steps, each costing `vma_store`, so an interrupt between two of them widens
 * the window in which a concurrent rmap walk (rmap.ts) reads a half-updated pair of VMAs. What
 * covers the stores is the rmap_lock policy's:
 * - `none`: nothing but mmap_lock (2.6.34-rc after 5beb49305251 dropped the anon_vma lock that
 *   2.6.33's vma_adjust took), which a migrator without the mm's mmap_lock does not take;
 * - `vma-adjust-lock`: KAMEZAWA's patch (lore 20100423120148.9ffa5881.kamezawa.hiroyu@jp.fujitsu.com,
 *   a `vma->updating` seqcount there, a per-VMA spinlock here): vma's three stores form one
 *   section of vma's lock, next's two stores one section of next's; rmap walks take the lock
 *   around every vma_address() (vma_address_safe). Each VMA is read consistently, but a walk
 *   can still read vma after its section and next before its own;
 * - `anon-vma-root`: the root anon_vma's lock for write (012f18004da3: "Also add the proper
 *   locking to vma_adjust"), taken, as in 2.6.35, unless only vm_end changes with no importer.
 * File and shmem VMAs also take their mapping's i_mmap_rwsem for write, as every era did (file
 * rmap walks take it shared), so the race is an anonymous-memory one.
 * Affected VMAs are write-locked first (vma_start_write, 6.4+), before any spinlock.
 */
import type { Kernel, Thread } from '../kernel.js';
import type { Mm, Vma, AnonVmaLock } from '../mm/mm_types.js';
import { anonVmaLockOf } from './rmap_walk.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import { vma_start_write } from './mmap_lock.js';
import type { Path } from '../engine/task.js';

/** Options of one vma_adjust() call. */
export interface VmaAdjustOptions {
  /** The VMA a split adds above the shrunk `vma` (__split_vma passes it as `insert`). */
  insert?: Vma | null;
  /** Leave the next VMA alone even when vm_end shrinks next to it (vma_shrink). */
  keepNext?: boolean;
}

/** The VMA after `vma` in `mm`, or null. */
export function nextVma(mm: Mm, vma: Vma): Vma | null {
  const i = mm.vmas.indexOf(vma);
  return i >= 0 && i + 1 < mm.vmas.length ? mm.vmas[i + 1]! : null;
}

/** The VMA before `vma` in `mm`, or null. */
export function prevVma(mm: Mm, vma: Vma): Vma | null {
  const i = mm.vmas.indexOf(vma);
  return i > 0 ? mm.vmas[i - 1]! : null;
}

/** anon_vma_clone(): link `dst` on every anon_vma `src` is on, and share its anon_vma. */
export function anon_vma_clone(dst: Vma, src: Vma): void {
  dst.anonVma = src.anonVma;
  for (const av of src.anonChains) {
    if (!dst.anonChains.includes(av)) dst.anonChains.push(av);
    av.link(dst);
  }
}

/** adjust_start_vma() (KAMEZAWA's patch): enter `vma`'s update section, if the policy has one. */
function* adjust_start_vma(vma: Vma): Path<void> {
  if (vma.adjustLock !== null) yield vma.adjustLock.lock;
}

/** adjust_end_vma(): leave it; vma_address() of this VMA may read the fields again. */
function adjust_end_vma(task: Thread, vma: Vma): void {
  vma.adjustLock?.unlock(task);
}

/** Set `vma` to [start, end) with `pgoff`, adjusting or removing the VMAs after it as needed. */
export function* vma_adjust(k: Kernel, task: Thread, vma: Vma, start: number, end: number, pgoff: number, opts: VmaAdjustOptions = {}): Path<void> {
  const mm = vma.mm;
  const c = k.costs;
  const insert = opts.insert ?? null;
  let next = nextVma(mm, vma);
  const remove: Vma[] = [];
  let adjustNext = 0;
  let importer: Vma | null = null;
  let exporter: Vma | null = null;
  if (next !== null && insert === null && opts.keepNext !== true) {
    if (end >= next.vmEnd) {
      // vma expands over all of next (remove_next; again for next->next when end goes past it).
      while (next !== null && end >= next.vmEnd) {
        remove.push(next);
        next = nextVma(mm, next);
      }
      exporter = remove[0]!;
      importer = vma;
    }
    if (next !== null && end > next.vmStart) {
      // vma expands, overlapping part of next: next's start moves up.
      adjustNext = (end - next.vmStart) / PAGE_SIZE;
      exporter ??= next;
      importer = vma;
    } else if (next !== null && remove.length === 0 && end < vma.vmEnd && next.vmStart === vma.vmEnd) {
      // vma shrinks and !insert (vma_merge case 4): next grows down over the difference.
      adjustNext = -(vma.vmEnd - end) / PAGE_SIZE;
      exporter = vma;
      importer = next;
    }
  }
  const adjusted = adjustNext !== 0 ? next : null;
  // vma_start_write() on every VMA whose fields change or that goes away (6.4+).
  yield* vma_start_write(task, vma);
  if (adjusted !== null) yield* vma_start_write(task, adjusted);
  for (const r of remove) yield* vma_start_write(task, r);
  // "Easily overlooked: when mprotect shifts the boundary, make sure the expanding vma has
  // anon_vma set if the shrinking vma had, to cover any anon pages imported."
  if (exporter !== null && importer !== null && exporter.anonVma !== null && importer.anonVma === null) {
    anon_vma_clone(importer, exporter);
    yield c.vma_op;
  }

  // File and shmem VMAs: i_mmap_lock_write(mapping) in every era (file rmap walks take it shared).
  const mapping = vma.file >= 0 || vma.isShared() ? k.pageCache.mappingOf(vma) : null;
  if (mapping !== null) yield mapping.iMmapRwsem.write;
  // Locks around the stores (module header).
  const rl = k.policy.rmap_lock;
  let avLock: AnonVmaLock | null = null;
  const av = vma.anonVma ?? adjusted?.anonVma ?? null;
  if (rl.lockRoot && av !== null && (insert !== null || importer !== null || start !== vma.vmStart)) {
    avLock = anonVmaLockOf(k, av);
    yield avLock.write;
  }
  // The stores, one step each (vma_set_range; next: vm_start += adjust_next ...). Under
  // vma-adjust-lock each VMA's stores are one section of its own lock (adjust_start_vma(vma) ...
  // adjust_end_vma(vma), then the same for next), as in KAMEZAWA's patch.
  yield* adjust_start_vma(vma);
  vma.vmStart = start;
  yield c.vma_store;
  vma.vmEnd = end;
  yield c.vma_store;
  vma.vmPgoff = pgoff;
  yield c.vma_store;
  adjust_end_vma(task, vma);
  if (adjusted !== null) {
    yield* adjust_start_vma(adjusted);
    adjusted.vmStart += adjustNext * PAGE_SIZE;
    yield c.vma_store;
    adjusted.vmPgoff += adjustNext;
    yield c.vma_store;
    adjust_end_vma(task, adjusted);
  }
  if (insert !== null) {
    // __insert_vm_struct(): the split's upper part joins the tree.
    mm.insertVma(insert);
    yield c.vma_op;
  }
  for (const r of remove) {
    // __vma_unlink() now, unlink_anon_vmas() + free in vma_complete(): vma covers r's pages.
    mm.removeVma(r);
    for (const a of r.anonChains) a.unlink(r);
    yield c.vma_op;
  }

  avLock?.unlock(task);
  mapping?.iMmapRwsem.unlock(task);
  k.stats.count('vma_adjust_calls');
}

/** vma_expand() (mm/vma.c): grow `vma` to [start, end), absorbing or moving what follows. */
export function vma_expand(k: Kernel, task: Thread, vma: Vma, start: number, end: number, pgoff: number): Path<void> {
  return vma_adjust(k, task, vma, start, end, pgoff);
}

/** vma_shrink() (mm/vma.c): shrink `vma` to [start, end); the caller unmaps what fell out. */
export function vma_shrink(k: Kernel, task: Thread, vma: Vma, start: number, end: number, pgoff: number): Path<void> {
  return vma_adjust(k, task, vma, start, end, pgoff, { keepNext: true });
}
