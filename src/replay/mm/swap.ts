/**
 * The swap area and the swap cache (mm/swapfile.c, mm/swap_state.c): one swap device with
 * `swap_map` counts per slot, the SWAP_HAS_CACHE bit, per-cluster spinlocks (class
 * `swap_cluster`), the swap cache (slot -> folio), the global `swapcache_wq` (6.12), and the
 * data version each slot holds, for the integrity oracle.
 *
 * Slot life (swap_map[slot] = count | SWAP_HAS_CACHE):
 *   free -> HAS_CACHE            get_swap_page() for add_to_swap() (reclaim)
 *   HAS_CACHE -> n | HAS_CACHE   swap_duplicate() per PTE that try_to_unmap() turns into the entry
 *   n -> n - 1                   swap_free() (a swap-in mapped it, or a zap dropped the PTE)
 *   n -> n | HAS_CACHE           swapcache_prepare() (swap-in owns the entry; -EEXIST if set,
 *                                -ENOENT if n = 0)
 *   x | HAS_CACHE -> x           put_swap_folio()/swapcache_clear() (swap cache deleted, or the
 *                                skip path's "lock" dropped)
 *   0 -> free                    the slot goes back on a LIFO free list: the next allocation
 *                                reuses it, which is what makes the ABA race of 13ddaf26be32
 *                                possible (the kernel's per-CPU swap slot caches do the same).
 * The kernel keeps swap counts above SWAP_MAP_MAX in continuation pages; here a count is a number.
 * Slot 0 is the swap header and never allocated. The swap area grows as needed (no -ENOSPC).
 */
import type { KernelEnv } from './kernel_env.js';
import { SpinLock } from '../locks/spinlock.js';
import { WaitQueue } from '../locks/waitqueue.js';
import { InvariantError } from '../../util/errors.js';
import { BlockDevice } from './device.js';
import { PG_SWAPCACHE, PG_WRITEBACK, type Folio } from './folio.js';

/** SWAP_HAS_CACHE (include/linux/swap.h): the entry is in, or being added to, the swap cache. */
export const SWAP_HAS_CACHE = 0x40;
/** Slots per cluster (SWAPFILE_CLUSTER): one cluster lock covers them. */
export const SWAPFILE_CLUSTER = 256;
/** pte_swp_exclusive(): the swap PTE of a page that was PageAnonExclusive (1493a1913e34, 5.19). */
export const PTE_SWP_EXCLUSIVE = 8;
/** SWAP_RA_HITS_MAX: readahead hits kept per VMA (6 bits). */
export const SWAP_RA_HITS_MAX = 63;
/** swapcache_prepare() results. */
export const SWAP_OK = 0;
export const EEXIST = 17;
export const ENOENT = 2;

/** One kernel's swap area, swap cache and swap device. */
export class SwapInfo {
  private readonly map: number[] = [0];
  private readonly data: number[] = [0];
  /** Allocation generation of each slot (bumped when the slot is handed out again). */
  private readonly gen: number[] = [0];
  private readonly inflight: number[] = [0];
  /** Last folio read from each slot and its generation (duplicate_swapins bookkeeping). */
  private readonly holder: (Folio | null)[] = [null];
  private readonly holderGen: number[] = [0];
  private readonly free: number[] = [];
  private readonly clusters: SpinLock[] = [];
  /** The swap cache: slot -> folio (swapper_spaces' xarrays). */
  readonly cache = new Map<number, Folio>();
  /** swapcache_wq (01626a1823): skip-path losers wait here for any swapcache_clear(). */
  readonly wq = new WaitQueue('swapcache_wq');
  /** Cluster readahead state (swapin_readahead_hits, prev_offset, last_readahead_pages). */
  clusterRa = { hits: 4, prevOffset: 0, lastPages: 0 };

  constructor(
    private readonly k: KernelEnv,
    readonly device: BlockDevice,
  ) {}

  /** The cluster lock of `slot` (lock_cluster()). */
  clusterLock(slot: number): SpinLock {
    const c = Math.floor(slot / SWAPFILE_CLUSTER);
    let l = this.clusters[c];
    if (l === undefined) {
      l = new SpinLock(this.k.lockEnv, 'swap_cluster');
      this.clusters[c] = l;
    }
    return l;
  }

  /** Slots ever allocated (si->max): valid slot numbers are 1 .. size-1. */
  get size(): number {
    return this.map.length;
  }

  /** __swap_count(): references from PTEs (and shmem), without the cache bit. */
  count(slot: number): number {
    return (this.map[slot] ?? 0) & ~SWAP_HAS_CACHE;
  }

  hasCache(slot: number): boolean {
    return ((this.map[slot] ?? 0) & SWAP_HAS_CACHE) !== 0;
  }

  /** Take a free slot, the most recently freed first, marked SWAP_HAS_CACHE (scan_swap_map_slots). */
  allocSlot(): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.map.length;
      this.map.push(0);
      this.data.push(0);
      this.gen.push(0);
      this.inflight.push(0);
      this.holder.push(null);
      this.holderGen.push(0);
    } else this.k.stats.count('swap_slots_reused');
    if (this.map[slot] !== 0) throw new InvariantError(`swap slot ${slot} allocated while in use`, 'swap');
    this.map[slot] = SWAP_HAS_CACHE;
    this.gen[slot]!++;
    this.k.stats.count('swap_slots_allocated');
    return slot;
  }

  /** swap_duplicate(): one more PTE refers to the slot. */
  duplicate(slot: number): void {
    if (this.map[slot] === undefined || this.map[slot] === 0) throw new InvariantError(`swap_duplicate of free swap slot ${slot}`, 'swap');
    this.map[slot]! += 1;
  }

  /** swap_free() of one PTE reference; the slot is freed when nothing refers to it. */
  put(slot: number): void {
    if (this.count(slot) === 0) throw new InvariantError(`swap_free of swap slot ${slot} with count 0`, 'swap');
    this.map[slot]! -= 1;
    this.maybeFree(slot);
  }

  /** swapcache_prepare() (__swap_duplicate with SWAP_HAS_CACHE): -ENOENT only when nothing holds the slot. */
  prepare(slot: number): number {
    if (this.count(slot) === 0 && !this.hasCache(slot)) return ENOENT;
    if (this.hasCache(slot)) return EEXIST;
    this.map[slot]! |= SWAP_HAS_CACHE;
    return SWAP_OK;
  }

  /** put_swap_folio() / swapcache_clear(): drop SWAP_HAS_CACHE. */
  clearCache(slot: number): void {
    if (!this.hasCache(slot)) throw new InvariantError(`SWAP_HAS_CACHE cleared on swap slot ${slot} without it`, 'swap');
    this.map[slot]! &= ~SWAP_HAS_CACHE;
    this.maybeFree(slot);
  }

  private maybeFree(slot: number): void {
    if (this.map[slot] !== 0) return;
    // swap_range_free(): zram's slot_free_notify drops the compressed copy; the stale version
    // stays readable here, as a disk's would, since nobody may legally read a free slot.
    this.free.push(slot);
    this.k.stats.count('swap_slots_freed');
  }

  /** The data version the slot holds. */
  slotData(slot: number): number {
    return this.data[slot]!;
  }

  /** A swap-out writes `version` to the slot. */
  writeSlot(slot: number, version: number): void {
    this.data[slot] = version;
  }

  /**
   * A read of `slot` starts: `swapins` +1, and `duplicate_swapins` +1 when another read of the
   * slot is in flight or a folio read from the slot's current contents is still in memory.
   */
  beginRead(slot: number): number {
    const s = this.k.stats.summary;
    s.swapins++;
    const h = this.holder[slot];
    if (this.inflight[slot]! > 0 || (h !== null && h !== undefined && !h.freed && this.holderGen[slot] === this.gen[slot])) s.duplicate_swapins++;
    this.inflight[slot]!++;
    return this.data[slot]!;
  }

  /** The read of `slot` into `folio` completed. */
  endRead(slot: number, folio: Folio): void {
    this.inflight[slot]!--;
    this.holder[slot] = folio;
    this.holderGen[slot] = this.gen[slot]!;
  }

  /** add_to_swap_cache(): the cache takes a reference; caller holds the folio lock. */
  addToCache(folio: Folio, slot: number): void {
    if (this.cache.has(slot)) throw new InvariantError(`swap slot ${slot} already in the swap cache`, `folio ${folio.id}`, folio.recentHistory());
    folio.get(1, 'add_to_swap_cache');
    folio.set(PG_SWAPCACHE);
    folio.swapSlot = slot;
    this.cache.set(slot, folio);
  }

  /** delete_from_swap_cache(): drop the entry, SWAP_HAS_CACHE and the cache's reference. */
  deleteFromCache(folio: Folio): void {
    const slot = folio.swapSlot;
    if (this.cache.get(slot) !== folio) throw new InvariantError('delete_from_swap_cache of a folio not in the swap cache', `folio ${folio.id}`, folio.recentHistory());
    this.cache.delete(slot);
    folio.clear(PG_SWAPCACHE);
    folio.swapSlot = -1;
    this.clearCache(slot);
    this.k.pages.put(folio, 'delete_from_swap_cache');
  }

  /**
   * folio_free_swap(): drop a swap-cache folio's slot when no PTE refers to it any more and it
   * is not under writeback (caller holds the folio lock).
   */
  folioFreeSwap(folio: Folio): boolean {
    if (!folio.has(PG_SWAPCACHE) || folio.has(PG_WRITEBACK)) return false;
    if (this.count(folio.swapSlot) > 0) return false;
    this.deleteFromCache(folio);
    return true;
  }

  /**
   * free_swap_and_cache(): a zap dropped a swap PTE. When that was the last reference and only
   * the swap cache holds the slot, try to reclaim the cached folio now (__try_to_reclaim_swap:
   * trylock, not mapped, not under writeback).
   */
  freeSwapAndCache(slot: number): void {
    this.put(slot);
    if (this.count(slot) !== 0 || !this.hasCache(slot)) return;
    const f = this.cache.get(slot);
    if (f === undefined || f.locked || f.mapcount > 0 || f.has(PG_WRITEBACK)) return;
    this.deleteFromCache(f);
  }
}
