/**
 * try_to_migrate() (mm/rmap.c; try_to_unmap(page, TTU_MIGRATION) before 5.14): replace every
 * PTE mapping the locked, isolated folio with a migration entry, through the rmap walk.
 *
 * Per mapping (try_to_migrate_one, under the PTE table's PTL as page_vma_mapped_walk takes it):
 * check the PTE still maps this folio (the walk may have computed a wrong address), clear it,
 * install a migration entry that keeps the write bit (PTE_MIG_WRITE) and the dirty bit, then
 * page_remove_rmap() and folio_put(): the mapping's reference goes; the migrator's isolation
 * reference keeps the folio alive.
 *
 * The TLB shootdown: the caller pays it, once per mm touched, after the entries are installed
 * and before the reference-count check (try_to_unmap_flush() at the `move:` label of
 * migrate_pages_batch, 6.3+; the 2.6.34-5.x ptep_clear_flush() ran the same shootdown under the
 * PTL just before set_pte_at()). While other CPUs are being flushed, a thread of the mm that
 * faults finds the migration entry and, under pageref-* migration_wait, takes a reference that
 * the check will see.
 */
import type { Kernel, Thread } from '../kernel.js';
import type { Folio } from '../mm/folio.js';
import type { Mm, Vma } from '../mm/mm_types.js';
import { PTE_DIRTY, PTE_MIG_WRITE, PTE_MIGRATION, PTE_PRESENT, PTE_WRITE, pteIndex } from '../mm/pagetable.js';
import { rmap_walk } from './rmap_walk.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import type { Path } from '../engine/task.js';

/** Unmap `folio` everywhere; returns the mms whose TLBs must be flushed before the refcount check. */
export function* try_to_migrate(k: Kernel, task: Thread, folio: Folio): Path<Mm[]> {
  const flush: Mm[] = [];
  yield* rmap_walk(k, task, folio, (vma, addr) => try_to_migrate_one(k, task, folio, vma, addr, flush));
  return flush;
}

/** try_to_migrate_one(): one VMA's PTE at `addr`, if it maps `folio`. */
function* try_to_migrate_one(k: Kernel, task: Thread, folio: Folio, vma: Vma, addr: number, flush: Mm[]): Path<boolean> {
  const mm = vma.mm;
  const vpn = Math.floor(addr / PAGE_SIZE);
  // page_vma_mapped_walk(): no PTE table, nothing mapped here.
  const t = mm.pt.lookup(vpn);
  if (t === undefined) return true;
  const i = pteIndex(vpn);
  yield t.ptl.lock;
  // check_pte(): the PTE must map this very folio (a stale vm_pgoff points elsewhere).
  if (t.kind[i] === PTE_PRESENT && t.folioAt(i) === folio) {
    const bits = t.bits[i]!;
    // ptep_get_and_clear() + set_tlb_ubc_flush_pending(); make_{writable,readable}_migration_entry().
    t.set(i, PTE_MIGRATION, ((bits & PTE_WRITE) !== 0 ? PTE_MIG_WRITE : 0) | (bits & PTE_DIRTY), folio, 0);
    // page_remove_rmap(), folio_put(): never the last reference (the isolation one remains).
    folio.mapDelta(-1, 'try_to_migrate');
    k.pages.put(folio, 'try_to_migrate');
    if (!flush.includes(mm)) flush.push(mm);
    yield k.costs.pte_op;
  }
  t.ptl.unlock(task);
  return true;
}
