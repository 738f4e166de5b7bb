/**
 * folio_referenced() -> folio_referenced_one() (mm/rmap.c; page_referenced() before 5.18) and
 * the decision reclaim takes on it, folio_check_references() (mm/vmscan.c; page_check_references
 * since 645747462435, 2.6.34): walk every mapping of the folio and count the PTEs whose accessed
 * bit is set, clearing each (ptep_clear_flush_young_notify: on x86 without a TLB flush).
 *
 * "All mapped folios start out with page table references from the instantiating fault" (the
 * access after a fault sets the accessed bit), so a folio used since the last scan is not
 * reclaimed: before 5.9 an anonymous folio with a young PTE is activated at once (PAGEREF_ACTIVATE
 * for PageSwapBacked); from 5.9 (b518154e59aa, anonymous pages get the file pages' rule) it is
 * marked referenced and kept for another trip (FOLIOREF_KEEP), activated when referenced again or
 * mapped young more than once. The model has one LRU list, so activation and "another trip" are
 * both a second chance: back on the list at its newest end, with the accessed bits cleared; a folio
 * not used again before the scan comes round is reclaimed then. MADV_PAGEOUT ignores references
 * (reclaim_pages -> shrink_folio_list with ignore_references), as madvise_pageout.ts does.
 */
import type { Kernel, Thread } from '../kernel.js';
import type { Folio } from '../mm/folio.js';
import type { Vma } from '../mm/mm_types.js';
import { PTE_PRESENT, PTE_YOUNG, pteIndex } from '../mm/pagetable.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import { rmap_walk } from './rmap_walk.js';
import type { Path } from '../engine/task.js';

/** The folio's young PTEs, each cleared: 0 when nobody used it since the last scan. */
export function* folio_referenced(k: Kernel, task: Thread, folio: Folio): Path<number> {
  let young = 0;
  const visit = function* (vma: Vma, addr: number): Path<boolean> {
    const vpn = Math.floor(addr / PAGE_SIZE);
    const t = vma.mm.pt.lookup(vpn);
    if (t === undefined) return true;
    const i = pteIndex(vpn);
    // page_vma_mapped_walk() under the PTL: this PTE maps this folio.
    yield t.ptl.lock;
    if (t.kind[i] === PTE_PRESENT && t.folioAt(i) === folio && (t.bits[i]! & PTE_YOUNG) !== 0) {
      // ptep_clear_flush_young_notify()
      t.bits[i] = t.bits[i]! & ~PTE_YOUNG;
      young++;
      yield k.costs.pte_op;
    }
    t.ptl.unlock(task);
    return true;
  };
  yield* rmap_walk(k, task, folio, visit);
  return young;
}
