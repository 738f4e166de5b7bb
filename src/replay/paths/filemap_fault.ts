/**
 * filemap_fault() (mm/filemap.c) and shmem_fault() (mm/shmem.c): find or read the page-cache
 * folio of a file fault and return it locked, with a reference.
 *
 * filemap_fault:
 * - hit: unless FAULT_FLAG_TRIED, do_async_mmap_readahead(): mmap_miss--, and on a
 *   PG_readahead folio the next window is read asynchronously (dropping the fault lock first).
 * - miss (VM_FAULT_MAJOR): do_sync_mmap_readahead(): mmap_miss++; unless the file misses much
 *   more than it hits (mmap_miss > MMAP_LOTSAMISS), read-around: ra_pages (32) centred on the
 *   fault, async_size a quarter (dropping the fault lock first); then find or create the folio.
 * - lock_folio_maybe_drop_mmap(): trylock, else drop the fault lock (if the fault may retry)
 *   and sleep on the folio lock.
 * - not uptodate (no read-around happened): filemap_read_folio() after dropping the fault lock,
 *   wait for it, and retry.
 * - if the fault lock was dropped anywhere above: unlock and return VM_FAULT_RETRY.
 * maybe_unlock_mmap_for_io() drops the fault lock only on a first try with
 * FAULT_FLAG_ALLOW_RETRY: under fault_lock=mmap-noretry the whole read happens holding it.
 */
import { folioLock, folioWaitLocked, folio_set_locked, folio_trylock, folio_unlock } from '../locks/folio_lock.js';
import { PG_READAHEAD, PG_UPTODATE, type Folio } from '../mm/folio.js';
import { MMAP_LOTSAMISS, RA_PAGES, type AddressSpace } from '../mm/pagecache.js';
import { page_cache_async_ra, page_cache_ra_unbounded, read_pages } from './page_cache_ra.js';
import { FAULT_FLAG_TRIED, VM_FAULT_MAJOR, VM_FAULT_RETRY, type VmFault } from './vm_fault.js';
import type { Path } from '../engine/task.js';
import { try_to_free_pages } from './shrink_folio_list.js';

/** What __do_fault() gets back: the result bits and, unless RETRY, the locked folio. */
export interface FaultPage {
  ret: number;
  folio: Folio | null;
}

/** maybe_unlock_mmap_for_io(): drop the fault lock before I/O when this try may retry. */
function maybe_unlock_mmap_for_io(vmf: VmFault, fpin: boolean): boolean {
  if (fpin) return true;
  if (!vmf.mayRetry) return false;
  vmf.releaseFaultLock();
  return true;
}

/** filemap_get_folio() with a reference, or FGP_CREAT: a new, unlocked, not uptodate folio. */
function* find_or_create(vmf: VmFault, as: AddressSpace, create: boolean): Path<Folio | null> {
  const { k, task } = vmf;
  yield k.costs.pagecache_lookup;
  const f = as.folios.get(vmf.index);
  if (f !== undefined) {
    f.get(1, 'filemap_get_folio');
    return f;
  }
  if (!create) return null;
  const nf = k.pages.allocFolio(task.runningCpu.node);
  as.add(nf, vmf.index);
  k.pages.lru.add(nf.liveSlot('added to the LRU'));
  yield k.costs.folio_alloc + k.costs.pagecache_add;
  if (k.pages.overLimit()) yield* try_to_free_pages(k, task);
  return nf;
}

export function* filemap_fault(vmf: VmFault): Path<FaultPage> {
  const { k, task, mm, vma } = vmf;
  const env = k.lockEnv;
  const as = k.pageCache.mappingOf(vma);
  if (as.shmem) return yield* shmem_fault(vmf, as);
  const endIndex = vma.vmPgoff + vma.pages;
  const ra = as.raOf(mm.pid);
  let fpin = false;
  let ret = 0;
  let folio = yield* find_or_create(vmf, as, false);
  if (folio !== null) {
    if ((vmf.flags & FAULT_FLAG_TRIED) === 0) {
      // do_async_mmap_readahead()
      if (ra.mmapMiss > 0) ra.mmapMiss--;
      if (folio.has(PG_READAHEAD)) {
        fpin = maybe_unlock_mmap_for_io(vmf, fpin);
        yield* page_cache_async_ra(k, task, as, ra, folio, endIndex);
      }
    }
  } else {
    ret = VM_FAULT_MAJOR;
    // do_sync_mmap_readahead()
    if (ra.mmapMiss < MMAP_LOTSAMISS * 10) ra.mmapMiss++;
    if (ra.mmapMiss <= MMAP_LOTSAMISS) {
      fpin = maybe_unlock_mmap_for_io(vmf, fpin);
      ra.start = Math.max(vma.vmPgoff, vmf.index - RA_PAGES / 2);
      ra.size = RA_PAGES;
      ra.asyncSize = RA_PAGES / 4;
      yield* page_cache_ra_unbounded(k, task, as, ra.start, ra.size, ra.asyncSize, endIndex);
    } else k.stats.count('file_readaround_skipped');
  }
  for (;;) {
    // retry_find
    folio ??= (yield* find_or_create(vmf, as, true))!;
    // lock_folio_maybe_drop_mmap()
    if (folio_trylock(env, folio, task)) yield env.uncontended;
    else {
      fpin = maybe_unlock_mmap_for_io(vmf, fpin);
      yield folioLock(env, folio);
    }
    if (as.folios.get(vmf.index) !== folio) {
      // Truncated or reclaimed meanwhile: look again.
      folio_unlock(env, folio);
      k.pages.put(folio, 'filemap_fault: folio gone');
      folio = null;
      continue;
    }
    if (!folio.has(PG_UPTODATE)) {
      // page_not_uptodate: read it synchronously, then retry_find (or retry the fault).
      fpin = maybe_unlock_mmap_for_io(vmf, fpin);
      k.stats.count('file_single_page_reads');
      yield* read_pages(k, task, as, [folio]);
      yield folioWaitLocked(env, folio);
      k.pages.put(folio, 'filemap_read_folio');
      folio = null;
      if (fpin) return { ret: ret | VM_FAULT_RETRY, folio: null };
      continue;
    }
    break;
  }
  if (fpin) {
    // We had to drop the fault lock: let the caller re-find the VMA and redo the fault.
    folio_unlock(env, folio);
    k.pages.put(folio, 'filemap_fault retry');
    return { ret: ret | VM_FAULT_RETRY, folio: null };
  }
  return { ret, folio };
}

/** shmem_fault() -> shmem_get_folio(): find and lock the object's folio, or add a zeroed one. */
function* shmem_fault(vmf: VmFault, as: AddressSpace): Path<FaultPage> {
  const { k, task } = vmf;
  const env = k.lockEnv;
  yield k.costs.pagecache_lookup;
  const f = as.folios.get(vmf.index);
  if (f !== undefined) {
    f.get(1, 'shmem_get_folio');
    yield folioLock(env, f);
    return { ret: 0, folio: f };
  }
  // shmem_alloc_and_add_folio(): zeroed, uptodate, locked, in the cache; no disk behind it.
  const nf = k.pages.allocFolio(task.runningCpu.node);
  nf.set(PG_UPTODATE);
  folio_set_locked(env, nf, task);
  as.add(nf, vmf.index);
  yield k.costs.folio_alloc + k.costs.page_zero + k.costs.pagecache_add;
  if (k.pages.overLimit()) yield* try_to_free_pages(k, task);
  return { ret: 0, folio: nf };
}
