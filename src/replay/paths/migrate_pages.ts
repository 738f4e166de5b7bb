/**
 * migrate_pages() (mm/migrate.c): move isolated folios to new frames, retrying each -EAGAIN
 * folio for up to NR_MAX_MIGRATE_PAGES_RETRY (10) passes; what is left after the last pass is
 * reported as not migrated and put back on the LRU.
 *
 * One attempt (unmap_and_move / __unmap_and_move before 6.3; migrate_folio_unmap +
 * migrate_folio_move since):
 * 1. get_new_folio(): allocate the destination on the target node;
 * 2. folio_trylock(src), else folio_lock() (MIGRATE_SYNC: move_pages, compact_memory);
 * 3. folio_get_anon_vma() (the anon_vma outlives the walks; never freed in this model);
 * 4. try_to_migrate(): migration entries in every PTE, mapping references dropped;
 * 5. try_to_unmap_flush(): the TLB shootdown, BEFORE the reference check;
 * 6. folio_mapped(src) still (the walk missed a PTE): -EAGAIN; else folio_migrate_mapping():
 *    refcount != folio_expected_refs() -> -EAGAIN (one refcount failure);
 * 7. success: copy, folio_migrate_flags(), remove_migration_ptes(src -> dst), unlock src (its
 *    waiters wake), drop the isolation reference (src is freed unless someone holds it);
 *    -EAGAIN: remove_migration_ptes(src -> src), unlock src, keep it isolated for the next pass.
 *
 * Reference accounting in this model: a folio's count is one per mapping PTE, plus one for the
 * swap cache, one per gup reference, GUP_PIN_COUNTING_BIAS per pin, one per task waiting on a
 * migration entry with a reference (pageref-*), and the migrator's isolation reference. Once
 * every PTE is a migration entry, folio_expected_refs() is therefore 1 (the isolation
 * reference) for an anonymous folio outside the swap cache, and 1 + nr_pages (= 2) with a
 * mapping (the swap cache, or the page cache of a file or shmem folio), as in the kernel.
 */
import type { Kernel, Thread } from '../kernel.js';
import { PG_ANON_EXCLUSIVE, PG_DIRTY, PG_LRU, PG_SWAPCACHE, PG_UPTODATE, PG_WRITEBACK, FOLIO_ISOLATED, type Folio } from '../mm/folio.js';
import { SHMEM_ID_BASE, type AddressSpace } from '../mm/pagecache.js';
import { folio_trylock, folio_unlock, folioLock } from '../locks/folio_lock.js';
import { remove_migration_ptes } from './remove_migration_ptes.js';
import { try_to_migrate } from './try_to_migrate.js';
import type { Path } from '../engine/task.js';

/** NR_MAX_MIGRATE_PAGES_RETRY (include/linux/migrate.h). */
export const NR_MAX_MIGRATE_PAGES_RETRY = 10;

const MIGRATEPAGE_SUCCESS = 0;
const EAGAIN = -11;

/** Pages moved and pages left where they were. */
export interface MigrateResult {
  ok: number;
  failed: number;
}



/** Shmem folios are never on the LRU in this model (pagecache.ts); the kernel's are. */
function isShmem(folio: Folio): boolean {
  return folio.file >= SHMEM_ID_BASE;
}

/**
 * isolate_lru_page() / isolate_migratepages_block(): take `folio` off the LRU with one reference
 * for migration; false when someone else has it isolated (another migrator, reclaim).
 */
export function folio_isolate_for_migration(k: Kernel, folio: Folio, why: string): boolean {
  if (folio.freed || folio.has(FOLIO_ISOLATED)) return false;
  if (folio.has(PG_LRU)) k.pages.lru.del(folio.slot);
  else if (!isShmem(folio)) return false;
  folio.get(1, why);
  folio.set(FOLIO_ISOLATED);
  // NR_ISOLATED_ANON/FILE: a reclaimer that finds the LRU empty waits for these.
  k.pages.isolated++;
  return true;
}

/** putback_movable_pages(): back on the LRU, isolation reference dropped. */
function folio_putback(k: Kernel, folio: Folio): void {
  folio.clear(FOLIO_ISOLATED);
  k.pages.isolated--;
  if (!isShmem(folio)) k.pages.lru.add(folio.liveSlot('added to the LRU'));
  k.pages.put(folio, 'putback_movable_pages');
}

/** folio_mapping(): the swap cache, the page-cache mapping holding `folio`, or null (anonymous). */
function folio_mapping(k: Kernel, folio: Folio): 'swap' | AddressSpace | null {
  if (folio.has(PG_SWAPCACHE)) return 'swap';
  if (folio.file < 0) return null;
  const as = k.pageCache.mappingOfFolio(folio);
  return as !== undefined && as.folios.get(folio.index) === folio ? as : null;
}

/** folio_expected_refs(): the isolation reference, plus nr_pages for a mapping's (swap or page cache). */
export function folio_expected_refs(k: Kernel, folio: Folio): number {
  return 1 + (folio_mapping(k, folio) !== null ? 1 : 0);
}

/**
 * Migrate `from` (isolated by the caller: off the LRU, one isolation reference each) to the node
 * `target(folio)` names. Counts migrate_pages, migrate_ok, migrate_failed, refcount_failures.
 */
export function* migrate_pages(k: Kernel, task: Thread, from: Folio[], target: (f: Folio) => number): Path<MigrateResult> {
  const s = k.stats;
  s.summary.migrate_pages += from.length;
  const holder = new Map<Folio, string>();
  let list = from;
  let ok = 0;
  for (let pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY && list.length > 0; pass++) {
    const retry: Folio[] = [];
    for (const folio of list) {
      const rc = yield* unmap_and_move(k, task, folio, target(folio), holder, pass);
      if (rc === EAGAIN) retry.push(folio);
      else {
        ok++;
        s.refcountOutcome('migrate', 'ok', '-');
      }
    }
    if (pass > 0) s.count('migrate_retry_passes');
    list = retry;
  }
  for (const folio of list) {
    s.refcountOutcome('migrate', 'failed', holder.get(folio) ?? '-');
    folio_putback(k, folio);
  }
  s.summary.migrate_ok += ok;
  s.summary.migrate_failed += list.length;
  return { ok, failed: list.length };
}

/** One attempt on one folio: MIGRATEPAGE_SUCCESS or -EAGAIN. */
function* unmap_and_move(k: Kernel, task: Thread, src: Folio, node: number, holder: Map<Folio, string>, pass: number): Path<number> {
  const c = k.costs;
  const env = k.lockEnv;
  if (src.refcount === 1) {
    // "Folio was freed from under us. So we are done." (only the isolation reference is left)
    k.stats.count('migrate_freed_under_us');
    src.clear(FOLIO_ISOLATED);
    k.pages.isolated--;
    k.pages.put(src, 'migrate_folio_done');
    return MIGRATEPAGE_SUCCESS;
  }
  // get_new_folio() on the target node, and the unmap/move bookkeeping.
  const dst = k.pages.allocFolio(node);
  yield c.folio_alloc + c.migrate_bookkeeping;
  // folio_trylock(), else folio_lock() (sync migration may sleep on it).
  if (!folio_trylock(env, src, task)) yield folioLock(env, src);
  if (src.has(PG_WRITEBACK)) {
    // Under writeback (swap-out in flight): MIGRATE_SYNC would wait for it; retry next pass.
    k.stats.count('migrate_writeback');
    folio_unlock(env, src);
    k.pages.put(dst, 'migrate_folio_undo_dst');
    return EAGAIN;
  }
  const wasMapped = src.mapcount > 0;
  if (wasMapped) {
    const flush = yield* try_to_migrate(k, task, src);
    // try_to_unmap_flush(): other CPUs drop the old translation; the flusher waits for them.
    for (const mm of flush) yield k.flushTlb(task, mm);
  }
  let rc = EAGAIN;
  if (src.mapcount > 0) {
    // folio_mapped(src) after try_to_migrate(): the walk did not find every PTE.
    k.stats.count('migrate_unmap_incomplete');
  } else rc = folio_migrate_mapping(k, task, dst, src, holder, pass);

  if (rc === MIGRATEPAGE_SUCCESS) {
    // migrate_folio(): folio_mc_copy() then folio_migrate_flags().
    yield c.page_copy;
    dst.data = src.data;
    for (const flag of [PG_DIRTY, PG_UPTODATE, PG_ANON_EXCLUSIVE]) if (src.has(flag)) dst.set(flag);
    // folio_add_lru(dst), then the PTEs point to it.
    if (!isShmem(dst)) k.pages.lru.add(dst.liveSlot('added to the LRU'));
    if (wasMapped) yield* remove_migration_ptes(k, task, src, dst);
    // folio_put(dst): the PTEs hold their own references now.
    k.pages.put(dst, 'migrate_folio_move put dst');
    folio_unlock(env, src);
    // migrate_folio_done(): the isolation reference; src is freed unless someone still holds it.
    src.clear(FOLIO_ISOLATED);
    k.pages.isolated--;
    k.pages.put(src, 'migrate_folio_done');
    return MIGRATEPAGE_SUCCESS;
  }
  // migrate_folio_undo_src(): the old folio goes back into the page tables; undo_dst frees dst.
  if (wasMapped) yield* remove_migration_ptes(k, task, src, src);
  folio_unlock(env, src);
  k.pages.put(dst, 'migrate_folio_undo_dst');
  return EAGAIN;
}

/**
 * folio_migrate_mapping(): the reference check. Anonymous folios without a mapping compare the
 * count; folios in the swap cache or the page cache freeze it (folio_ref_freeze) under the
 * xarray lock and move the cache entry and its reference to `dst`.
 */
function folio_migrate_mapping(k: Kernel, task: Thread, dst: Folio, src: Folio, holder: Map<Folio, string>, pass: number): number {
  const s = k.stats;
  const mapping = folio_mapping(k, src);
  const expected = folio_expected_refs(k, src);
  if (src.refcount !== expected) {
    // Somebody else holds a reference: -EAGAIN. folio.holder() says who, for the report only.
    const who = src.holder();
    holder.set(src, who);
    s.summary.refcount_failures++;
    s.refcountOutcome('migrate', 'eagain', who);
    k.timeline?.instant(task.tid, 'refcount-failure', k.now, { folio: src.id, refcount: src.refcount, expected, holder: who, pass });
    return EAGAIN;
  }
  // newfolio->index = folio->index; newfolio->mapping = folio->mapping.
  dst.anonVma = src.anonVma;
  dst.index = src.index;
  dst.file = src.file;
  if (mapping === 'swap') migrate_swap_cache(k, src, dst);
  else if (mapping !== null) migrate_page_cache(k, mapping, src, dst);
  return MIGRATEPAGE_SUCCESS;
}

/**
 * The swap-cache half of folio_migrate_mapping(): folio_ref_add(newfolio, nr) for the cache,
 * folio_set_swapcache(newfolio) with the same slot, xas_store(newfolio), then
 * folio_ref_unfreeze(folio, expected_count - nr): the old folio loses the cache's reference.
 */
function migrate_swap_cache(k: Kernel, src: Folio, dst: Folio): void {
  const slot = src.swapSlot;
  dst.get(1, 'folio_migrate_mapping swap cache');
  dst.set(PG_SWAPCACHE);
  dst.swapSlot = slot;
  k.swap.cache.set(slot, dst);
  src.clear(PG_SWAPCACHE);
  src.swapSlot = -1;
  k.pages.put(src, 'folio_migrate_mapping swap cache');
}

/** The page-cache half (file and shmem folios): the cache's entry and reference move to `dst`. */
function migrate_page_cache(k: Kernel, as: AddressSpace, src: Folio, dst: Folio): void {
  dst.get(1, 'folio_migrate_mapping page cache');
  as.folios.set(src.index, dst);
  k.pages.put(src, 'folio_migrate_mapping page cache');
}
