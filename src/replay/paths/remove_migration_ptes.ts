/**
 * remove_migration_ptes() (mm/migrate.c): after a migration attempt, replace every migration
 * entry pointing to `src` with a present PTE mapping `dst` (the new folio on success, `src`
 * itself after -EAGAIN), through the rmap walk of `src`.
 *
 * Per VMA (remove_migration_pte, under the PTL): the walk computed `addr` from vm_start and
 * vm_pgoff as they read now; the PTE there must be a migration entry for `src` (check_pte), else
 * nothing happens. A VMA the walk skipped or mis-addressed keeps its migration entry: after the
 * migrator unlocks and frees `src`, that entry is stale, and the next fault on it hits
 * migration_entry_to_page()'s BUG (docs/kernel-sources.md E; migration_entry_wait.ts reports it).
 *
 * Restoring: folio_get() + page_add_anon_rmap() (one mapping, one reference), the write bit from
 * a writable entry (is_writable_migration_entry -> pte_mkwrite), the dirty bit as it was.
 */
import type { Kernel, Thread } from '../kernel.js';
import type { Folio } from '../mm/folio.js';
import type { Vma } from '../mm/mm_types.js';
import { PTE_DIRTY, PTE_MIG_WRITE, PTE_MIGRATION, PTE_PRESENT, PTE_WRITE, pteIndex } from '../mm/pagetable.js';
import { rmap_walk } from './rmap_walk.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import type { Path } from '../engine/task.js';

/** Restore every migration entry of `src` as a PTE mapping `dst`; returns how many were restored. */
export function* remove_migration_ptes(k: Kernel, task: Thread, src: Folio, dst: Folio): Path<number> {
  let restored = 0;
  yield* rmap_walk(k, task, src, function* (vma: Vma, addr: number): Path<boolean> {
    if (yield* remove_migration_pte(k, task, src, dst, vma, addr)) restored++;
    return true;
  });
  return restored;
}

/** remove_migration_pte(): one VMA's PTE at `addr`, if it is a migration entry for `src`. */
function* remove_migration_pte(k: Kernel, task: Thread, src: Folio, dst: Folio, vma: Vma, addr: number): Path<boolean> {
  const vpn = Math.floor(addr / PAGE_SIZE);
  const t = vma.mm.pt.lookup(vpn);
  if (t === undefined) return false;
  const i = pteIndex(vpn);
  yield t.ptl.lock;
  let done = false;
  // page_vma_mapped_walk(PVMW_MIGRATION): a migration entry for src at this address.
  if (t.kind[i] === PTE_MIGRATION && t.folioAt(i) === src) {
    const bits = t.bits[i]!;
    dst.get(1, 'remove_migration_pte');
    dst.mapDelta(1, 'remove_migration_pte');
    t.set(i, PTE_PRESENT, ((bits & PTE_MIG_WRITE) !== 0 ? PTE_WRITE : 0) | (bits & PTE_DIRTY), dst, 0);
    done = true;
    yield k.costs.pte_op;
  }
  t.ptl.unlock(task);
  return done;
}
