/**
 * do_swap_page() (mm/memory.c): a fault on a swap or migration entry (orig_pte read without the
 * PTL by handle_mm_fault).
 *
 * 1. 6.4 (fault_lock=vma-swap-fallback): under the VMA lock return VM_FAULT_RETRY at once, so
 *    every swap fault (migration entries too) goes through mmap_lock.
 * 2. Migration entry: migration_entry_wait().
 * 3. swap_cache_get_folio(): a folio in the swap cache is used as is (`swapcache` path).
 * 4. Miss, SWP_SYNCHRONOUS_IO device, swap count 1 and swapin.skipSwapCache (0bcac06f27d7):
 *    allocate a private folio; with swapin.prepare set, swapcache_prepare() as a lock first
 *    (13ddaf26be32): a loser backs off as the variant's `backoff` hook says (one jiffy, or on
 *    swapcache_wq with that timeout, 01626a1823) still holding the fault lock, then returns so the access refaults; the
 *    winner reads synchronously. Without prepare, racers may read the same entry twice, and the
 *    slot may be freed and reused between one racer's read and its pte_same() (the ABA race).
 * 5. Otherwise swapin_readahead(): swap cache, readahead, possibly asynchronous reads.
 * 6. folio_lock_or_retry() (fault_lock decides: retry, or sleep holding the fault lock).
 * 7. Swap-cache folio still the entry's? PTL, pte_same(), swap_free(), maybe free the swap
 *    cache, map (writable when exclusive), folio_unlock; a write on a read-only result goes on to
 *    do_wp_page. swapcache_clear() (and wake_up(swapcache_wq) for `wq`) after the PTL is dropped.
 */
import { folio_set_locked, folio_unlock } from '../locks/folio_lock.js';
import { PG_ANON_EXCLUSIVE, PG_READAHEAD, PG_SWAPCACHE, PG_WRITEBACK, type Folio } from '../mm/folio.js';
import { PTE_DIRTY, PTE_MIGRATION, PTE_PRESENT, PTE_SWAP, PTE_WRITE, pteIndex, type PteTable, PTE_YOUNG } from '../mm/pagetable.js';
import { PTE_SWP_EXCLUSIVE, SWAP_OK, SWAP_RA_HITS_MAX, type SwapInfo } from '../mm/swap.js';
import { vmf_anon_prepare } from './anon_vma_prepare.js';
import { do_wp_page } from './do_wp_page.js';
import { folio_lock_or_retry } from './folio_lock_or_retry.js';
import { migration_entry_wait } from './migration_entry_wait.js';
import { schedule_timeout_uninterruptible, sleep_on_timeout, wake_up } from './schedule_timeout.js';
import { swap_read_folios } from './swap_read_folio.js';
import { swapin_readahead } from './swapin_readahead.js';
import { FAULT_FLAG_UNSHARE, VM_FAULT_MAJOR, VM_FAULT_OK, VM_FAULT_RETRY, type VmFault } from './vm_fault.js';
import type { SwapinBackoff } from '../policies/types.js';
import type { Path } from '../engine/task.js';
import { try_to_free_pages } from './shrink_folio_list.js';

export function* do_swap_page(vmf: VmFault): Path {
  const { k, task, mm } = vmf;
  const t = mm.pt.lookup(vmf.vpn)!;
  const i = pteIndex(vmf.vpn);
  const origKind = t.kind[i]!;
  const slot = t.swap[i]!;
  const origBits = t.bits[i]!;
  if (vmf.vmaLocked && k.policy.fault_lock.swapRetriesUnderVmaLock) {
    // 6.4: "if (vmf->flags & FAULT_FLAG_VMA_LOCK) { ret = VM_FAULT_RETRY; goto out; }"
    vmf.releaseFaultLock();
    k.stats.count('swap_fault_vma_retries');
    return VM_FAULT_RETRY;
  }
  if (origKind === PTE_MIGRATION) return yield* migration_entry_wait(vmf);
  // A swap PTE comes from an anonymous page, so the VMA has its anon_vma; guard anyway.
  if (!vmf_anon_prepare(vmf)) return VM_FAULT_RETRY;
  const si = k.swap;
  const c = k.costs;
  // swap_cache_get_folio()
  yield c.pagecache_lookup;
  let folio: Folio | null = si.cache.get(slot) ?? null;
  if (folio !== null) {
    folio.get(1, 'swap_cache_get_folio');
    if (task.path !== 'swapin') task.path = 'swapcache';
    // A readahead hit (PG_readahead) widens the next window; a VMA's readahead info also
    // remembers this fault's address (SWAP_RA_VAL(addr, win, hits)).
    const hit = folio.has(PG_READAHEAD);
    folio.clear(PG_READAHEAD);
    const ra = vmf.vma.swapRa;
    if (ra !== null) {
      ra.vpn = vmf.vpn;
      if (hit) ra.hits = Math.min(ra.hits + 1, SWAP_RA_HITS_MAX);
    }
    if (hit) si.clusterRa.hits++;
  }
  const swapcache0 = folio;
  let swapcache = folio;
  let ret = VM_FAULT_OK;
  let needClear = false;
  let readIssued = false;
  if (folio === null) {
    if (si.device.synchronous && k.policy.swapin.skipSwapCache && si.count(slot) === 1) {
      // Skip the swap cache: a private folio, read synchronously.
      const f = k.pages.allocFolio(task.runningCpu.node);
      yield c.folio_alloc;
      if (k.pages.overLimit()) yield* try_to_free_pages(k, task);
      folio_set_locked(k.lockEnv, f, task);
      if (k.policy.swapin.prepare !== 'none') {
        // swapcache_prepare() as a lock against parallel swap-ins of this entry.
        const cl = si.clusterLock(slot);
        yield cl.lock;
        const err = si.prepare(slot);
        cl.unlock(task);
        yield c.swap_map_update;
        if (err !== SWAP_OK) {
          yield* backoff(vmf, si);
          // out_page: folio_unlock(); folio_put()
          folio_unlock(k.lockEnv, f);
          k.pages.put(f, 'swapcache_prepare backoff');
          return VM_FAULT_OK;
        }
        needClear = true;
      }
      // swap_read_folio(folio, synchronous): unlocks the folio when the data is in.
      yield* swap_read_folios(k, task, [{ folio: f, slot }]);
      folio = f;
      readIssued = true;
    } else {
      const r = yield* swapin_readahead(vmf, slot);
      if (r === null) {
        // The entry was freed under us: somebody else faulted this PTE in; refault.
        k.stats.count('swapin_entry_gone');
        return VM_FAULT_OK;
      }
      folio = r.folio;
      swapcache = folio;
      readIssued = r.read;
    }
    // Had to read the page from swap area: major fault.
    ret = VM_FAULT_MAJOR;
  }
  if (readIssued) task.path = 'swapin';
  const lr = yield* folio_lock_or_retry(vmf, folio);
  if ((lr & VM_FAULT_RETRY) !== 0) {
    // out_release: the fault lock was dropped inside.
    k.pages.put(folio, 'do_swap_page retry');
    if (needClear) yield* swapcache_clear(vmf, si, slot);
    return ret | VM_FAULT_RETRY;
  }
  // Make sure folio_free_swap() or swapoff did not release the swap cache from under us.
  if (swapcache !== null && (!folio.has(PG_SWAPCACHE) || folio.swapSlot !== slot)) {
    return yield* outPage(vmf, si, folio, slot, needClear, ret, 'swapin_swapcache_changed');
  }
  yield t.ptl.lock;
  // pte_same() is a raw compare: the swap entry and its bits (pte_swp_exclusive, 5.19+).
  if (t.kind[i] !== PTE_SWAP || t.swap[i] !== slot || t.bits[i] !== origBits) {
    // out_nomap: somebody else mapped or zapped it (pte_same() failed).
    t.ptl.unlock(task);
    return yield* outPage(vmf, si, folio, slot, needClear, ret, 'swapin_pte_changed');
  }
  const writable = yield* map_swapped_folio(vmf, t, i, si, folio, slot, origBits, swapcache !== null);
  folio_unlock(k.lockEnv, folio);
  if (task.path !== 'swapin') task.path = swapcache0 !== null ? 'swapcache' : 'swapin';
  if ((vmf.write || (vmf.flags & FAULT_FLAG_UNSHARE) !== 0) && !writable) {
    // A write (or unshare) the mapping could not grant: do_wp_page(), which drops the PTL.
    ret |= yield* do_wp_page(vmf, t, i);
  } else t.ptl.unlock(task);
  yield c.map_new_folio;
  // Clear the swap cache pin for direct swapin after PTL unlock.
  if (needClear) yield* swapcache_clear(vmf, si, slot);
  return ret;
}

/**
 * swap_free(), should_try_to_free_swap() and the mapping itself (PTL held): returns whether the
 * PTE was made writable. 5.19+ (wp_reuse tracks PageAnonExclusive): a fresh private folio, or a
 * pte_swp_exclusive entry, or a folio only we reference, is exclusive and mapped writable even on
 * a read fault. Before: only a write fault whose page nobody else maps or swaps
 * (reuse_swap_page: mapcount + swapcount == 1) gets a writable, dirty PTE.
 */
function* map_swapped_folio(vmf: VmFault, t: PteTable, i: number, si: SwapInfo, folio: Folio, slot: number, origBits: number, inSwapCache: boolean): Path<boolean> {
  const { k, task, vma } = vmf;
  const c = k.costs;
  const cl = si.clusterLock(slot);
  let exclusive = false;
  if (k.policy.wp_reuse.tracksAnonExclusive) {
    exclusive = !inSwapCache || (origBits & PTE_SWP_EXCLUSIVE) !== 0;
    yield cl.lock;
    si.put(slot);
    cl.unlock(task);
    yield c.swap_map_update;
    // should_try_to_free_swap(): a write fault on a folio only the cache and we hold.
    if (inSwapCache && vmf.write && folio.refcount === 2) si.folioFreeSwap(folio);
    if (folio.refcount === 1) exclusive = true;
  } else {
    if (vmf.write && folio.mapcount + si.count(slot) === 1) {
      exclusive = true;
      // reuse_swap_page(): drop the swap cache copy, the page is ours and dirty now.
      if (inSwapCache && !folio.has(PG_WRITEBACK)) si.deleteFromCache(folio);
    }
    yield cl.lock;
    si.put(slot);
    cl.unlock(task);
    yield c.swap_map_update;
  }
  const writable = exclusive && vma.isWritable();
  const bits = writable ? (vmf.write ? PTE_WRITE | PTE_DIRTY : PTE_WRITE) : 0;
  // folio_add_new_anon_rmap() for a folio never mapped, else folio_add_anon_rmap_pte().
  if (folio.anonVma === null) {
    folio.anonVma = vma.anonVma;
    folio.index = vmf.index;
  }
  folio.mapDelta(1, 'do_swap_page');
  if (exclusive) folio.set(PG_ANON_EXCLUSIVE);
  else folio.clear(PG_ANON_EXCLUSIVE);
  k.pages.lru.add(folio.liveSlot('added to the LRU'));
  // mk_pte(page, vma->vm_page_prot): young on x86.
  t.set(i, PTE_PRESENT, bits | PTE_YOUNG, folio, 0);
  return writable;
}

/** out_page / out_release: unlock and drop our folio, clear the cache pin, let the access refault. */
function* outPage(vmf: VmFault, si: SwapInfo, folio: Folio, slot: number, needClear: boolean, ret: number, why: 'swapin_swapcache_changed' | 'swapin_pte_changed'): Path {
  const { k } = vmf;
  k.stats.count(why);
  folio_unlock(k.lockEnv, folio);
  k.pages.put(folio, why);
  if (needClear) yield* swapcache_clear(vmf, si, slot);
  return ret;
}

/**
 * A swapcache_prepare() loser on the skip path: "relax a bit to prevent rapid repeated page
 * faults". The fault lock stays held through the sleep.
 */
function* backoff(vmf: VmFault, si: SwapInfo): Path<void> {
  const { k, task } = vmf;
  k.stats.count('swapcache_prepare_backoffs');
  task.path = 'swapin-backoff';
  // How the loser relaxes is the swapin variant's (its `backoff` hook).
  yield* k.policy.swapin.backoff(new Backoff(vmf, si));
}

/** The steps a swapin variant's backoff and clear hooks compose. */
class Backoff implements SwapinBackoff {
  constructor(
    private readonly vmf: VmFault,
    private readonly si: SwapInfo,
  ) {}

  *sleepTick(): Path<void> {
    const { k } = this.vmf;
    yield schedule_timeout_uninterruptible(k, 1);
  }

  *sleepOnSwapcacheWq(): Path<void> {
    const { k } = this.vmf;
    const c = k.costs;
    // add_wait_queue(&swapcache_wq): a wake_up() before this step is missed.
    yield c.lock_uncontended;
    yield sleep_on_timeout(k, this.si.wq, 1, () => k.stats.count('swapcache_wq_timeouts'));
  }

  wakeSwapcacheWq(): void {
    const { k } = this.vmf;
    if (this.si.wq.active) k.stats.count('swapcache_wq_wakeups', wake_up(k, this.si.wq));
  }
}

/** swapcache_clear() under the cluster lock, then the swapin variant's `cleared` hook (skip-prepare-wq wakes swapcache_wq). */
function* swapcache_clear(vmf: VmFault, si: SwapInfo, slot: number): Path<void> {
  const { k, task } = vmf;
  const cl = si.clusterLock(slot);
  yield cl.lock;
  si.clearCache(slot);
  cl.unlock(task);
  yield k.costs.swap_map_update;
  k.policy.swapin.cleared(new Backoff(vmf, si));
}
