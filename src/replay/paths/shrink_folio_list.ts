/**
 * Reclaim (mm/vmscan.c): shrink_folio_list() over folios isolated from the LRU, and the direct
 * reclaim a task runs when an allocation takes resident memory over --memory-limit
 * (try_to_free_pages, called by the allocating paths when k.pages.overLimit(); `swapout` /
 * MADV_PAGEOUT uses shrink_folio_list directly).
 *
 * Per folio (isolated: off the LRU, one extra reference):
 * 1. folio_trylock(), else keep. Under writeback or maybe DMA-pinned: keep. Mapped and used
 *    since the last scan (folio_check_references, folio_referenced.ts): keep, a second chance
 *    (not for MADV_PAGEOUT, which ignores references).
 * 2. Anonymous and not in the swap cache: add_to_swap(): a slot (SWAP_HAS_CACHE), the swap cache
 *    takes a reference, the folio is marked dirty.
 * 3. Mapped: try_to_unmap() (swap entries for anonymous folios); still mapped: keep.
 * 4. Dirty: pageout(); still under writeback (asynchronous device): keep.
 * 5. __remove_mapping(): only the isolation and the cache references may be left (the refcount
 *    freeze fails if a racing fault took one): delete from the swap cache (dropping
 *    SWAP_HAS_CACHE) or the page cache, unlock, free.
 * Kept folios go back on the LRU (folio_putback_lru). Shmem folios are never reclaimed here.
 * The LRU is one list, oldest first, without referenced bits (accessed bits are not modelled).
 */
import type { Kernel, Thread } from '../kernel.js';
import { folio_trylock, folio_unlock } from '../locks/folio_lock.js';
import { PG_DIRTY, PG_LRU, PG_SWAPCACHE, PG_WRITEBACK, type Folio } from '../mm/folio.js';
import { NO_SLOT } from '../mm/folio_store.js';
import { folio_referenced } from './folio_referenced.js';
import { out_of_memory } from './out_of_memory.js';
import { pageout } from './pageout.js';
import { try_to_unmap } from './try_to_unmap.js';
import type { Path } from '../engine/task.js';

/** SWAP_CLUSTER_MAX: folios reclaim isolates per batch. */
export const SWAP_CLUSTER_MAX = 32;

/** folio_isolate_lru(): take `folio` off the LRU with a reference; false if it is not on it. */
export function folio_isolate_lru(k: Kernel, folio: Folio): boolean {
  if (!folio.has(PG_LRU) || folio.freed) return false;
  k.pages.lru.del(folio.slot);
  folio.get(1, 'folio_isolate_lru');
  return true;
}

/** folio_putback_lru(): back on the LRU (newest end), dropping the isolation reference. */
export function folio_putback_lru(k: Kernel, folio: Folio): void {
  k.pages.lru.add(folio.liveSlot('added to the LRU'));
  k.pages.put(folio, 'folio_putback_lru');
}

/** add_to_swap(): allocate a slot and add the locked folio to the swap cache. */
function* add_to_swap(k: Kernel, task: Thread, folio: Folio): Path<void> {
  const si = k.swap;
  const slot = si.allocSlot();
  si.addToCache(folio, slot);
  // "Always setting the dirty bit for the folio solves the problem" (MADV_FREE pages).
  folio.set(PG_DIRTY);
  const cl = si.clusterLock(slot);
  yield cl.lock;
  cl.unlock(task);
  yield k.costs.swap_map_update + k.costs.swapcache_add;
}

/**
 * Reclaim the isolated `folios`; returns how many were freed. `ignoreReferences`: MADV_PAGEOUT's
 * reclaim_pages(), which reclaims used folios too.
 */
export function* shrink_folio_list(k: Kernel, task: Thread, folios: Folio[], ignoreReferences = false): Path<number> {
  let freed = 0;
  k.pages.isolated += folios.length;
  for (const folio of folios) {
    yield k.costs.reclaim_bookkeeping;
    if (!folio_trylock(k.lockEnv, folio, task)) {
      folio_putback_lru(k, folio);
      continue;
    }
    if (yield* shrink_folio(k, task, folio, ignoreReferences)) freed++;
    else {
      folio_unlock(k.lockEnv, folio);
      folio_putback_lru(k, folio);
    }
  }
  k.pages.isolated -= folios.length;
  k.stats.count('reclaim_freed', freed);
  return freed;
}

/** One locked, isolated folio: true when it was freed (and unlocked), false to keep it (locked). */
function* shrink_folio(k: Kernel, task: Thread, folio: Folio, ignoreReferences: boolean): Path<boolean> {
  if (folio.has(PG_WRITEBACK) || folio.maybeDmaPinned) return false;
  // folio_check_references(): a mapped folio used since the last scan gets a second chance.
  if (!ignoreReferences && folio.mapcount > 0 && (yield* folio_referenced(k, task, folio)) > 0) {
    k.stats.count('reclaim_referenced');
    return false;
  }
  const file = folio.file >= 0;
  const pc = k.pageCache;
  const as = file ? pc.mappingOfFolio(folio) : undefined;
  if (file && (as === undefined || as.shmem)) return false;
  if (!file && !folio.has(PG_SWAPCACHE)) yield* add_to_swap(k, task, folio);
  if (folio.mapcount > 0 && !(yield* try_to_unmap(k, task, folio))) return false;
  if (folio.has(PG_DIRTY) && (yield* pageout(k, task, folio)) === 'writeback') return false;
  // __remove_mapping(): folio_ref_freeze(folio, 1 + 1): the isolation and the cache references.
  if (folio.refcount !== 2 || folio.mapcount > 0) return false;
  if (file) as!.remove(k, folio);
  else k.swap.deleteFromCache(folio);
  folio_unlock(k.lockEnv, folio);
  k.pages.put(folio, 'shrink_folio_list free');
  return true;
}

/**
 * MAX_RECLAIM_RETRIES (mm/internal.h): reclaim attempts without progress before a charge that
 * still does not fit the memory cgroup's limit invokes the OOM killer (try_charge_memcg).
 */
export const MAX_RECLAIM_RETRIES = 16;

/**
 * Direct reclaim (try_to_free_pages -> shrink_inactive_list, as try_charge_memcg runs it for a
 * memory cgroup at --memory-limit): while resident memory exceeds the limit, isolate up to
 * SWAP_CLUSTER_MAX folios from the old end of the LRU (skipping folios under writeback or locked)
 * and shrink them. A pass that frees nothing is retried (the passes clear accessed bits, so used
 * folios get their second chance and then go) up to MAX_RECLAIM_RETRIES times in a row. Then,
 * if folios were skipped for writeback or a lock (they come free without more reclaim), the
 * allocation goes ahead over the limit until they do (so too when another task's reclaim has
 * folios isolated); if none were, the limit cannot be met:
 * out_of_memory() kills the worst offender (oom_badness).
 */
export function* try_to_free_pages(k: Kernel, task: Thread): Path<void> {
  if (task.memalloc) return; // PF_MEMALLOC: no recursion
  task.memalloc = true;
  try {
    let noProgress = 0;
    while (k.pages.resident > k.pages.limitPages && !task.oomKilled) {
      const batch: Folio[] = [];
      let scanned = 0;
      let busy = 0;
      const lru = k.pages.lru;
      for (let s = lru.oldest(); s !== NO_SLOT && batch.length < SWAP_CLUSTER_MAX && scanned < 4 * SWAP_CLUSTER_MAX; ) {
        const next = lru.newer(s);
        const f = k.pages.folio(s);
        scanned++;
        if (f.has(PG_WRITEBACK) || f.locked) busy++;
        else if (folio_isolate_lru(k, f)) batch.push(f);
        s = next;
      }
      k.stats.count('reclaim_scanned', scanned);
      const freed = batch.length === 0 ? 0 : yield* shrink_folio_list(k, task, batch);
      if (freed > 0) {
        noProgress = 0;
        continue;
      }
      if (++noProgress < MAX_RECLAIM_RETRIES && batch.length > 0) continue;
      // Memory under writeback, locked, or isolated by another reclaim in progress will come free
      // (or back) without more reclaim here: too_many_isolated() throttles such a reclaimer.
      if (busy > 0 || k.pages.isolated > 0) break;
      k.stats.count('reclaim_no_progress');
      out_of_memory(k, task);
      break;
    }
  } finally {
    task.memalloc = false;
  }
}
