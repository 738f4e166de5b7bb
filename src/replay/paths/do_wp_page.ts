/**
 * do_wp_page() (mm/memory.c): a write to a present, write-protected PTE, entered with the PTL
 * held. An anonymous folio the wp_reuse policy allows is reused in place (wp_page_reuse);
 * anything else is copied (wp_page_copy): drop the PTL, allocate and copy, retake the PTL,
 * check pte_same, clear the old PTE with a TLB flush, map the copy, drop the old folio's
 * mapping and reference.
 * FAULT_FLAG_UNSHARE (a GUP R/O pin of a page not known exclusive, 5.19+) runs the same decision
 * but leaves the PTE read-only: reuse only marks the page exclusive, a copy is mapped read-only.
 * maybe_mkwrite(): a PTE becomes writable only in a writable VMA (GUP may write-fault a read-only
 * private VMA when it breaks COW).
 * A shared writable mapping (VM_SHARED) is never copied: wp_page_shared() marks the page dirty
 * and makes the PTE writable in place.
 */
import { PG_ANON_EXCLUSIVE, PG_DIRTY, PG_SWAPCACHE, type Folio } from '../mm/folio.js';
import { PTE_DIRTY, PTE_PRESENT, PTE_WRITE, type PteTable, PTE_YOUNG } from '../mm/pagetable.js';
import { vmf_anon_prepare } from './anon_vma_prepare.js';
import { FAULT_FLAG_UNSHARE, VM_FAULT_OK, VM_FAULT_RETRY, type VmFault } from './vm_fault.js';
import type { Path } from '../engine/task.js';
import { try_to_free_pages } from './shrink_folio_list.js';

export function* do_wp_page(vmf: VmFault, t: PteTable, i: number): Path {
  const { k, task, vma } = vmf;
  const old = t.folioAt(i)!;
  if (vma.isShared() && vma.isWritable() && old !== k.zeroFolio && (vmf.flags & FAULT_FLAG_UNSHARE) === 0) {
    // wp_page_shared(): the shared page itself becomes writable and dirty.
    t.bits[i] = t.bits[i]! | PTE_WRITE | PTE_DIRTY;
    old.set(PG_DIRTY);
    t.ptl.unlock(task);
    yield k.costs.pte_op;
    task.path = 'wp-shared';
    return VM_FAULT_OK;
  }
  const anon = old !== k.zeroFolio && old.anonVma !== null && vma.isAnon();
  if (anon) {
    const reuse = k.policy.wp_reuse.canReuse({
      refcount: old.refcount,
      mapcount: old.mapcount,
      inSwapCache: old.has(PG_SWAPCACHE),
      anonExclusive: old.has(PG_ANON_EXCLUSIVE),
      // page_swapcount(): other processes' swap PTEs still using this swap-cache folio's slot.
      swapCount: old.has(PG_SWAPCACHE) ? k.swap.count(old.swapSlot) : 0,
    });
    if (reuse) {
      // wp_page_reuse(): make the PTE writable in place.
      if (k.policy.wp_reuse.tracksAnonExclusive) old.set(PG_ANON_EXCLUSIVE);
      // An unshare stops here: the page is exclusive now, the PTE stays read-only.
      if ((vmf.flags & FAULT_FLAG_UNSHARE) === 0 && vma.isWritable()) t.bits[i] = t.bits[i]! | PTE_WRITE | PTE_DIRTY;
      t.ptl.unlock(task);
      k.stats.refcountOutcome('wp_reuse', 'reused', '-');
      yield k.costs.pte_op;
      task.path = 'wp-reuse';
      return VM_FAULT_OK;
    }
    // Copied although only this mm maps it: someone else holds a reference.
    k.stats.refcountOutcome('wp_reuse', 'copied', old.mapcount <= 1 ? old.holder() : '-');
  }
  // folio_get(folio); pte_unmap_unlock(); return wp_page_copy(vmf): the copy holds its own
  // reference on the old folio across the allocation, so reclaim meanwhile may unmap it but not
  // free it (__remove_mapping's refcount freeze fails), and migration sees the reference.
  if (old !== k.zeroFolio) {
    old.get(1, 'do_wp_page');
    old.cowRefs++;
  }
  t.ptl.unlock(task);
  const r = (yield wp_page_copy(vmf, t, i, old)) as number;
  // wp_page_copy()'s final folio_put(old_folio) of that reference.
  if (old !== k.zeroFolio) {
    old.cowRefs--;
    k.pages.put(old, 'wp_page_copy put');
  }
  return r;
}

/** wp_page_copy(): give this mm its own copy of `old` (the zero page: a zeroed folio). */
function* wp_page_copy(vmf: VmFault, t: PteTable, i: number, old: Folio): Path {
  const { k, task, mm, vma } = vmf;
  const c = k.costs;
  if (!vmf_anon_prepare(vmf)) return VM_FAULT_RETRY;
  const copy = k.pages.allocFolio(task.runningCpu.node);
  // The allocator's slow path: direct reclaim when over --memory-limit.
  if (k.pages.overLimit()) yield* try_to_free_pages(k, task);
  const fromZero = old === k.zeroFolio;
  yield c.folio_alloc + (fromZero ? c.page_zero : c.page_copy);
  copy.data = fromZero ? 0 : old.data;
  yield t.ptl.lock;
  if (t.kind[i] !== PTE_PRESENT || t.folioAt(i) !== old) {
    // pte_same() failed: someone else resolved the fault.
    t.ptl.unlock(task);
    k.pages.put(copy, 'wp_page_copy lost race');
    task.path = 'cow';
    return VM_FAULT_OK;
  }
  // ptep_clear_flush(): other CPUs may cache the old translation.
  yield k.flushTlb(task, mm);
  copy.anonVma = vma.anonVma;
  copy.index = vmf.index;
  copy.mapDelta(1, 'wp_page_copy');
  copy.set(PG_ANON_EXCLUSIVE);
  k.pages.lru.add(copy.liveSlot('added to the LRU'));
  // maybe_mkwrite(pte_mkdirty()), except for an unshare, which maps the copy read-only.
  const unshare = (vmf.flags & FAULT_FLAG_UNSHARE) !== 0;
  // wp_page_copy(): mk_pte(new_page, vma->vm_page_prot), young on x86.
  t.set(i, PTE_PRESENT, PTE_YOUNG | (unshare || !vma.isWritable() ? PTE_DIRTY : PTE_WRITE | PTE_DIRTY), copy, 0);
  if (!fromZero) {
    old.mapDelta(-1, 'wp_page_copy');
    k.pages.put(old, 'wp_page_copy unmap');
    if (unshare) k.stats.count('unshare_copies');
    else k.stats.summary.cow_copies++;
  }
  t.ptl.unlock(task);
  yield c.map_new_folio;
  task.path = 'cow';
  return VM_FAULT_OK;
}
