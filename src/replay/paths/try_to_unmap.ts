/**
 * try_to_unmap() -> try_to_unmap_one() (mm/rmap.c) for reclaim: walk every mapping of a locked
 * folio (rmap_walk for anonymous folios, the file's i_mmap for page-cache folios) and, under
 * each PTE table's PTL, clear the PTE with a TLB flush (ptep_clear_flush), move the PTE's dirty
 * bit to the folio (folio_mark_dirty), and drop the mapping and its reference. An anonymous
 * folio's PTE becomes its swap entry: swap_duplicate() (one swap_map reference per PTE), with
 * pte_swp_exclusive when the page was PageAnonExclusive, which is cleared
 * (folio_try_share_anon_rmap). A page-cache folio's PTE becomes none (the page is re-found in the
 * page cache by the next fault).
 */
import type { Kernel, Thread } from '../kernel.js';
import { PG_ANON_EXCLUSIVE, PG_DIRTY, type Folio } from '../mm/folio.js';
import { PTE_DIRTY, PTE_PRESENT, PTE_SWAP, pteIndex } from '../mm/pagetable.js';
import { rmap_walk, rmap_walk_file } from './rmap_walk.js';
import { PTE_SWP_EXCLUSIVE } from '../mm/swap.js';
import type { Vma } from '../mm/mm_types.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import type { Path } from '../engine/task.js';

/** Unmap `folio` everywhere; true when no mapping is left. */
export function* try_to_unmap(k: Kernel, task: Thread, folio: Folio): Path<boolean> {
  const visit = (vma: Vma, addr: number): Path<boolean> => try_to_unmap_one(k, task, folio, vma, addr);
  if (folio.file >= 0) yield* rmap_walk_file(k, task, folio, visit);
  else yield* rmap_walk(k, task, folio, visit);
  return folio.mapcount === 0;
}

function* try_to_unmap_one(k: Kernel, task: Thread, folio: Folio, vma: Vma, addr: number): Path<boolean> {
  const vpn = Math.floor(addr / PAGE_SIZE);
  const t = vma.mm.pt.lookup(vpn);
  const i = pteIndex(vpn);
  // page_vma_mapped_walk(): is the folio mapped at this address?
  if (t === undefined || t.kind[i] !== PTE_PRESENT || t.folioAt(i) !== folio) return true;
  yield t.ptl.lock;
  if (t.kind[i] !== PTE_PRESENT || t.folioAt(i) !== folio) {
    t.ptl.unlock(task);
    return true;
  }
  // ptep_clear_flush(): other CPUs may cache the translation.
  yield k.flushTlb(task, vma.mm);
  if ((t.bits[i]! & PTE_DIRTY) !== 0) folio.set(PG_DIRTY);
  if (folio.file >= 0) t.clear(i);
  else {
    const si = k.swap;
    const slot = folio.swapSlot;
    const cl = si.clusterLock(slot);
    yield cl.lock;
    si.duplicate(slot);
    cl.unlock(task);
    const excl = folio.has(PG_ANON_EXCLUSIVE) ? PTE_SWP_EXCLUSIVE : 0;
    folio.clear(PG_ANON_EXCLUSIVE);
    t.set(i, PTE_SWAP, excl, null, slot);
  }
  folio.mapDelta(-1, 'try_to_unmap');
  k.pages.put(folio, 'try_to_unmap');
  t.ptl.unlock(task);
  yield k.costs.pte_op + (folio.file >= 0 ? 0 : k.costs.swap_map_update);
  return folio.mapcount > 0;
}
