/**
 * The page-table side of GUP (mm/gup.c, mm/internal.h): follow_page_pte() looks a page up under
 * the PTL and, when GUP may use it as it is, takes the reference (try_grab_folio); otherwise it
 * says which fault would fix it (faultin_page). gup_must_unshare() decides when an R/O pin must
 * first make the page exclusive (FAULT_FLAG_UNSHARE, 5.19+).
 *
 * Outcomes of one look-up: GRABBED (reference taken), NO_PAGE (not present, or not writable for
 * a write: fault it in), UNSHARE (-EMLINK: fault with FAULT_FLAG_UNSHARE).
 */
import type { Kernel, Thread } from '../kernel.js';
import { GUP_PIN_COUNTING_BIAS, PG_ANON_EXCLUSIVE, type Folio } from '../mm/folio.js';
import type { Mm, Vma } from '../mm/mm_types.js';
import { PTE_PRESENT, PTE_WRITE, pteIndex } from '../mm/pagetable.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import { isCowMapping } from './copy_page_range.js';
import type { Path } from '../engine/task.js';

export const GRABBED = 0;
export const NO_PAGE = 1;
export const UNSHARE = 2;

/** What one GUP call asked for (FOLL_* bits of the op's `arg`). */
export interface Foll {
  /** FOLL_PIN (pin_user_pages) rather than FOLL_GET (get_user_pages). */
  readonly pin: boolean;
  readonly write: boolean;
  readonly longterm: boolean;
}

/** Per-page state of the look-up loop: which fault already ran for this page. */
export interface FollowState {
  /** The PTE must be writable (FOLL_WRITE, or a COW break forced by gup_cow=break). */
  needWrite: boolean;
  /** A write fault already broke COW in a read-only VMA: accept its read-only PTE (FOLL_COW). */
  brokeCow: boolean;
  /** An unshare fault already ran: accept the page as it is now. */
  unshared: boolean;
}

/**
 * gup_must_unshare(): an R/O FOLL_PIN of a page that is not known exclusive to this mm must
 * unshare it first, so the pin stays coherent with what the process maps. Anonymous pages: not
 * PageAnonExclusive (without the PageAnonExclusive scheme no page is known exclusive; do_wp_page
 * then decides by its own reuse rule). Other pages (the zero page, unwritten private file pages):
 * only R/O longterm pins in a COW mapping.
 */
export function gup_must_unshare(k: Kernel, vma: Vma, foll: Foll, folio: Folio): boolean {
  if (!foll.pin || foll.write) return false;
  if (!k.policy.gup_cow.unshareReadOnlyPins) return false;
  if (folio === k.zeroFolio || folio.anonVma === null) return foll.longterm && isCowMapping(vma);
  return !(k.policy.wp_reuse.tracksAnonExclusive && folio.has(PG_ANON_EXCLUSIVE));
}

/**
 * Whether GUP may take `folio` mapped with PTE bits `bits` as it is (both follow_page_pte and
 * GUP-fast apply this test).
 */
export function canGrab(k: Kernel, vma: Vma, foll: Foll, st: FollowState, bits: number, folio: Folio): number {
  const writable = (bits & PTE_WRITE) !== 0;
  // can_follow_write_pte(): a write needs a writable PTE (or a COW already broken, FOLL_COW).
  if (st.needWrite && !writable && !st.brokeCow) return NO_PAGE;
  if (!writable && !st.unshared && gup_must_unshare(k, vma, foll, folio)) return UNSHARE;
  return GRABBED;
}

/**
 * try_grab_folio() and the reference record: FOLL_PIN adds GUP_PIN_COUNTING_BIAS, FOLL_GET adds
 * one (the shared zero page is not refcounted for pins). The process remembers the reference
 * with what it expected the page to hold (for dma_read checks).
 */
export function try_grab_folio(k: Kernel, mm: Mm, vma: Vma, vpn: number, foll: Foll, folio: Folio): void {
  if (folio !== k.zeroFolio) {
    if (foll.pin) {
      folio.get(GUP_PIN_COUNTING_BIAS, 'pin_user_pages');
      folio.pinCount++;
    } else {
      folio.get(1, 'get_user_pages');
      folio.gupCount++;
    }
  }
  const addr = vpn * PAGE_SIZE;
  const [view, key] = k.oracleSlot(mm, vma, addr, foll.write);
  k.gupRefs.of(mm).add({
    folio, vpn, pin: foll.pin, longterm: foll.pin && foll.longterm, write: foll.write, vma, view, key,
    atRef: k.oracle.expected(...k.oracleSlot(mm, vma, addr, false)),
  });
}

/**
 * follow_page_pte(): under the PTL, grab the page if GUP may use it as mapped; otherwise say which
 * fault is needed. The caller holds mmap_lock for read.
 */
export function* follow_page_pte(k: Kernel, task: Thread, vma: Vma, vpn: number, foll: Foll, st: FollowState): Path<number> {
  const mm = vma.mm;
  const t = mm.pt.lookup(vpn);
  // No page table yet: no_page_table, fault it in.
  if (t === undefined) return NO_PAGE;
  const i = pteIndex(vpn);
  yield t.ptl.lock;
  // Not present (none, swap or migration entry): faultin_page() does the rest.
  if (t.kind[i] !== PTE_PRESENT) {
    t.ptl.unlock(task);
    return NO_PAGE;
  }
  const folio = t.folioAt(i)!;
  const r = canGrab(k, vma, foll, st, t.bits[i]!, folio);
  if (r === GRABBED) try_grab_folio(k, mm, vma, vpn, foll, folio);
  t.ptl.unlock(task);
  yield k.costs.gup_page;
  return r;
}
