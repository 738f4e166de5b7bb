/**
 * swapin_readahead() (mm/swap_state.c): the swap-cache path of a swap-in. The entry and, with
 * readahead, its neighbours are brought into the swap cache: __read_swap_cache_async() finds the
 * folio in the cache or allocates one, takes the entry with swapcache_prepare() (-EEXIST:
 * someone else is adding it: sleep a jiffy and look again), adds it to the swap cache locked, and
 * the new folios are read (swap_read_folio). Racing faulters find the folio in the cache and wait
 * on its lock: one I/O per entry.
 *
 * Readahead window (__swapin_nr_pages, page_cluster = 3: at most 8 pages): hits + 2 rounded up
 * to a power of two, 1 when there were no hits and the fault is not next to the previous one,
 * never below half the previous window. VMA-based (swap_vma_readahead: PTEs around the fault in
 * the same VMA and PMD) unless the swap device is rotational (an HDD), which uses the
 * slot-aligned cluster around the entry (swap_cluster_readahead).
 */
import type { Kernel, Thread } from '../kernel.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import { folio_set_locked } from '../locks/folio_lock.js';
import { PG_READAHEAD, type Folio } from '../mm/folio.js';
import { PTE_SWAP, PTRS_PER_PTE, pteIndex } from '../mm/pagetable.js';
import { EEXIST, SWAP_OK, type SwapInfo } from '../mm/swap.js';
import { cond_resched, schedule_timeout_uninterruptible } from './schedule_timeout.js';
import { swap_read_folios, type SwapRead } from './swap_read_folio.js';
import type { VmFault } from './vm_fault.js';
import type { Path } from '../engine/task.js';
import { try_to_free_pages } from './shrink_folio_list.js';

/** page_cluster default (mm/swap.c: 3 on machines with more than 16 MiB). */
export const PAGE_CLUSTER = 3;

/** __swapin_nr_pages(). */
export function swapin_nr_pages(prev: number, cur: number, hits: number, maxPages: number, prevWin: number): number {
  let pages = hits + 2;
  if (pages === 2) {
    // No readahead hits to judge by: only an adjacent fault earns a window.
    if (cur !== prev + 1 && cur !== prev - 1) pages = 1;
  } else {
    let roundup = 4;
    while (roundup < pages) roundup <<= 1;
    pages = roundup;
  }
  if (pages > maxPages) pages = maxPages;
  // Don't shrink readahead too fast.
  const lastRa = Math.floor(prevWin / 2);
  return pages < lastRa ? lastRa : pages;
}

/**
 * __read_swap_cache_async(): the swap-cache folio of `slot` with a reference taken, and whether
 * this call allocated it (then it is locked, in the cache, and needs reading); null when the
 * entry is no longer in use.
 */
export function* read_swap_cache_async(k: Kernel, task: Thread, slot: number): Path<{ folio: Folio; allocated: boolean } | null> {
  const si = k.swap;
  const c = k.costs;
  for (;;) {
    // filemap_get_folio(swap_address_space(entry), offset)
    yield c.pagecache_lookup;
    const cached = si.cache.get(slot);
    if (cached !== undefined) {
      cached.get(1, 'swap cache lookup');
      return { folio: cached, allocated: false };
    }
    // Just skip read ahead for unused swap slot.
    if (si.count(slot) === 0) return null;
    const folio = k.pages.allocFolio(task.runningCpu.node);
    yield c.folio_alloc;
    if (k.pages.overLimit()) yield* try_to_free_pages(k, task);
    // swapcache_prepare() then add_to_swap_cache() of the locked folio, in one step here: the
    // kernel's window between them (memcg charge) is only ever seen by other readers of the
    // cache, which loop on -EEXIST as below.
    const cl = si.clusterLock(slot);
    yield cl.lock;
    const err = si.prepare(slot);
    if (err === SWAP_OK) {
      folio_set_locked(k.lockEnv, folio, task);
      si.addToCache(folio, slot);
    }
    cl.unlock(task);
    yield c.swap_map_update;
    if (err === SWAP_OK) {
      yield c.swapcache_add;
      k.pages.lru.add(folio.liveSlot('added to the LRU'));
      return { folio, allocated: true };
    }
    k.pages.put(folio, 'read_swap_cache_async lost');
    if (err !== EEXIST) return null;
    // Raced with another swapcache_prepare(): a swap-in that got there first (its folio is in
    // the cache now) or a skip-path swap-in holding the entry. Look again, after what the era's
    // kernel does: nothing (2.6.34's bare continue), cond_resched() (to 5.18), or
    // schedule_timeout_uninterruptible(1) (029c4628b2eb, 5.19+), holding the fault lock.
    k.stats.count('swapcache_eexist_retries');
    const wait = k.policy.era.swapcacheEexistWait;
    if (wait === 'cond_resched') yield cond_resched(k);
    else if (wait === 'tick') yield schedule_timeout_uninterruptible(k, 1);
  }
}

/** The slots to read for a fault on `slot`: the readahead window, in address (or slot) order. */
function raWindow(vmf: VmFault, si: SwapInfo, slot: number): number[] {
  const { k, mm, vma } = vmf;
  const maxWin = 1 << PAGE_CLUSTER;
  if (k.machine.swap === 'hdd') {
    // swap_cluster_readahead(): an aligned block of slots around the entry.
    const ra = si.clusterRa;
    const hits = ra.hits;
    ra.hits = 0;
    const win = swapin_nr_pages(ra.prevOffset, slot, hits, maxWin, ra.lastPages);
    if (hits === 0) ra.prevOffset = slot;
    ra.lastPages = win;
    if (win <= 1) return [slot];
    const mask = win - 1;
    const start = Math.max(1, slot & ~mask);
    const end = Math.min(si.size - 1, slot | mask);
    const out: number[] = [];
    for (let s = start; s <= end; s++) out.push(s);
    return out;
  }
  // swap_vma_readahead() / swap_ra_info(): PTEs around the fault address.
  const info = vma.swapRa ?? { vpn: 0, win: 0, hits: 4 };
  const win = swapin_nr_pages(info.vpn, vmf.vpn, info.hits, maxWin, info.win);
  vma.swapRa = { vpn: vmf.vpn, win, hits: 0 };
  if (win <= 1) return [slot];
  const pmdStart = Math.floor(vmf.vpn / PTRS_PER_PTE) * PTRS_PER_PTE;
  const lo = Math.max(vma.vmStart / PAGE_SIZE, pmdStart);
  const hi = Math.min(vma.vmEnd / PAGE_SIZE, pmdStart + PTRS_PER_PTE);
  let start: number;
  if (vmf.vpn === info.vpn + 1) start = vmf.vpn;
  else if (info.vpn === vmf.vpn + 1) start = vmf.vpn - win + 1;
  else start = vmf.vpn - Math.floor((win - 1) / 2);
  const from = Math.max(lo, start);
  const to = Math.min(hi, start + win);
  const t = mm.pt.lookup(vmf.vpn)!;
  const out: number[] = [];
  for (let vpn = from; vpn < to; vpn++) {
    const i = pteIndex(vpn);
    // The PTEs are copied without the PTL; only swap entries (not migration entries) count.
    if (vpn === vmf.vpn) out.push(slot);
    else if (t.kind[i] === PTE_SWAP) out.push(t.swap[i]!);
  }
  return out;
}

/**
 * swapin_readahead(): bring `slot` (and its readahead window) into the swap cache; returns the
 * entry's folio with a reference (locked while its read is in flight), or null when the entry
 * was freed meanwhile. `read` is set when this call issued the entry's own read.
 */
export function* swapin_readahead(vmf: VmFault, slot: number): Path<{ folio: Folio; read: boolean } | null> {
  const { k, task } = vmf;
  const si = k.swap;
  const slots = raWindow(vmf, si, slot);
  const reads: SwapRead[] = [];
  let target: { folio: Folio; read: boolean } | null = null;
  for (const s of slots) {
    const r = yield* read_swap_cache_async(k, task, s);
    if (r === null) continue;
    if (r.allocated) {
      reads.push({ folio: r.folio, slot: s });
      if (s !== slot) {
        r.folio.set(PG_READAHEAD);
        k.stats.count('swap_readahead_pages');
      }
    }
    if (s === slot) target = { folio: r.folio, read: r.allocated };
    else k.pages.put(r.folio, 'swap readahead put');
  }
  yield* swap_read_folios(k, task, reads);
  return target;
}
