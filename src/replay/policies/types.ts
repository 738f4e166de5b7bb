/**
 * Strategy interfaces, one per policy axis (docs/design.md "Policies"). A variant is a small
 * object that changes only admission, ordering, which step runs next, or whether a reference is
 * taken; the shared mechanism (wait queues, refcounts, PTE states) lives once in the model and
 * paths (docs/style.md). Each variant lives in its own module under variants/, naming the commit.
 *
 * Two kinds of member (docs/design.md "Variants as hooks"):
 * - a field, where a path asks the variant a yes/no question (`vmaLock`, `skipSwapCache`);
 * - a hook, where the variant decides what happens next: the path reaches its one decision
 *   point and calls the hook with a small interface of the mechanism's steps (below, each
 *   named after the kernel code it runs), and the hook runs the variant's sequence of them, as
 *   ChampSim's replacement policies supply find_victim and SimPy's resources override _do_put.
 *   The hooks: FaultLockVariant.lockedFolio, MigrationWaitVariant.wait, SwapinVariant.backoff
 *   and .cleared, WpReuseVariant.canReuse, ForkCowVariant.copyAtFork.
 */
import type { Path } from '../engine/task.js';
import type { KernelEra } from './eras.js';

/** What every variant says about itself. */
export interface VariantInfo {
  readonly name: string;
  /** Kernel commit or lore Message-ID it mirrors; "proposed" for unmerged ideas. */
  readonly commit: string;
  /** One line: what the variant does differently. */
  readonly summary: string;
}

/**
 * A fault that found the folio it needs locked by someone else (folio_lock_or_retry() after the
 * trylock failed): the steps a fault_lock variant may take.
 */
export interface LockedFolioFault {
  /** FAULT_FLAG_ALLOW_RETRY set and FAULT_FLAG_TRIED not: this try may drop the lock. */
  readonly mayRetry: boolean;
  /** The fault holds a VMA read lock (FAULT_FLAG_VMA_LOCK), not mmap_lock. */
  readonly vmaLocked: boolean;
  /** release_fault_lock(); folio_wait_locked(); VM_FAULT_RETRY: the caller retries. */
  dropLockWaitRetry(): Path;
  /** __folio_lock(): sleep on the folio lock with the fault lock held; 0 with the folio locked. */
  sleepHoldingLock(): Path;
}

/** fault_lock: which lock anonymous and swap faults take, and how they wait for a locked folio. */
export interface FaultLockVariant extends VariantInfo {
  /** Try lock_vma_under_rcu() before mmap_lock for anonymous VMAs (6.4+). */
  readonly vmaLock: boolean;
  /** do_swap_page() under the VMA lock returns VM_FAULT_RETRY at once (6.4). */
  readonly swapRetriesUnderVmaLock: boolean;
  /** FAULT_FLAG_ALLOW_RETRY: a first try that meets a locked folio drops the lock, waits, retries. */
  readonly allowRetry: boolean;
  /** Hook: what the fault does on the locked folio; returns 0 (folio locked) or VM_FAULT_RETRY. */
  lockedFolio(f: LockedFolioFault): Path;
}

/** file_fault_lock: whether file-backed faults are handled under the VMA lock. */
export interface FileFaultLockVariant extends VariantInfo {
  /** lock_vma_under_rcu() accepts file-backed VMAs (6.5+; 6.4 refuses non-anonymous VMAs). */
  readonly vmaLockFile: boolean;
  /** handle_mm_fault returns VM_FAULT_RETRY for a VMA-locked file fault (6.5-6.6). */
  readonly retryFileUnderVmaLock: boolean;
}

/**
 * A fault on a migration entry of a locked folio, under the PTL (migration_entry_wait() after
 * its checks): the steps a migration_wait variant may take.
 */
export interface MigrationWaiter {
  /** get_page_unless_zero(): a reference, tagged `migration-wait` in refcount.csv; false when the count was 0. */
  tryGetRef(): boolean;
  /** put_page() of that reference. */
  putRef(why: string): void;
  /** pte_unmap_unlock(): drop the PTL. */
  unlockPtl(): void;
  /** PG_locked is still set. */
  readonly folioLocked: boolean;
  /** prepare_to_wait() on the folio's wait queue (non-exclusive). */
  enqueue(): void;
  /** io_schedule() after enqueue(): sleep until the unlock wakes the queue (at once if it already did). */
  sleepQueued(): Path<void>;
  /** wait_on_page_locked(): sleep while PG_locked, re-checking after every wake-up. */
  waitWhileLocked(): Path<void>;
  /** The cost of a call and its atomics (lock_uncontended), in cycles, to yield. */
  readonly callCost: number;
}

/** migration_wait: what a fault on a migration entry holds while it waits. */
export interface MigrationWaitVariant extends VariantInfo {
  /** What the waiter holds while it waits, for reports: a reference for the whole sleep, until enqueued, or none. */
  readonly pageRef: 'hold' | 'window' | 'none';
  /** Hook: the wait itself, from the PTL held to the wake-up (the PTL is dropped inside). */
  wait(w: MigrationWaiter): Path<void>;
}

/** Folio state a reuse decision may look at. */
export interface ReuseView {
  readonly refcount: number;
  readonly mapcount: number;
  readonly inSwapCache: boolean;
  readonly anonExclusive: boolean;
  /** page_swapcount(): swap PTEs still referring to the folio's swap slot (0 outside the swap cache). */
  readonly swapCount: number;
}

/** wp_reuse: when a write fault may reuse an anonymous page instead of copying. */
export interface WpReuseVariant extends VariantInfo {
  /** True when do_wp_page may reuse the folio. */
  canReuse(f: ReuseView): boolean;
  /** Whether the PageAnonExclusive flag is maintained (fork clears it on shared pages). */
  readonly tracksAnonExclusive: boolean;
}

/** gup_cow: what GUP does to a possibly COW-shared anonymous page. */
export interface GupCowVariant extends VariantInfo {
  /** Break COW (fault for write) before taking any GUP reference on a shared anon page (5.8). */
  readonly breakCow: boolean;
  /** Unshare (FAULT_FLAG_UNSHARE) before an R/O longterm pin of a not-exclusive anon page (5.19+). */
  readonly unshareReadOnlyPins: boolean;
}

/** fork_cow: whether fork copies maybe-pinned pages for the child. */
export interface ForkCowVariant extends VariantInfo {
  /** copy_present_pte(): copy this page for the child now instead of sharing it COW. */
  copyAtFork(hasPinned: boolean, maybeDmaPinned: boolean): boolean;
}

/** What a swapcache_prepare() loser on the skip path, or its clearer, may do. */
export interface SwapinBackoff {
  /** schedule_timeout_uninterruptible(1): sleep one jiffy. */
  sleepTick(): Path<void>;
  /** add_wait_queue(&swapcache_wq), then schedule_timeout_uninterruptible(1): woken by a clearer or the tick. */
  sleepOnSwapcacheWq(): Path<void>;
  /** if (waitqueue_active(&swapcache_wq)) wake_up(&swapcache_wq). */
  wakeSwapcacheWq(): void;
}

/** swapin: swap-in on a SWP_SYNCHRONOUS_IO device. */
export interface SwapinVariant extends VariantInfo {
  /** Skip the swap cache for a synchronous device and swap count 1 (0bcac06f27d7). */
  readonly skipSwapCache: boolean;
  /** Serialise skip-path swap-ins with swapcache_prepare() as a lock (13ddaf26be32), for reports: how losers wait. */
  readonly prepare: 'none' | 'tick' | 'wq';
  /** Hook: a loser of swapcache_prepare() relaxes before it refaults (fault lock held). Only called when prepare is not `none`. */
  backoff(b: SwapinBackoff): Path<void>;
  /** Hook: after swapcache_clear() dropped the skip path's "lock" (PTL already dropped). */
  cleared(b: SwapinBackoff): void;
}

/** rmap_lock: what keeps rmap walks and vma_adjust apart. */
export interface RmapLockVariant extends VariantInfo {
  /** vma_adjust and rmap walks both lock the root anon_vma (012f18004da3). */
  readonly lockRoot: boolean;
  /** A per-VMA spinlock around vma_adjust's stores and vma_address() (KAMEZAWA's test patch). */
  readonly perVmaAdjustLock: boolean;
  /**
   * The anon_vma lock's kind: a spinlock (2.6.34: spin_lock(&anon_vma->lock), walks exclude each
   * other) or an rwsem (3.8+, 4fc3f1d66b1e: rmap walks take it shared, vma_adjust exclusive).
   */
  readonly anonVmaLock: 'spinlock' | 'rwsem';
}

/** A fully resolved policy: one variant per axis. */
export interface Policy {
  readonly label: string;
  /**
   * The preset the policy was built on (`linux-6.12`): era facts that are not a docs/design.md axis,
   * such as whether move_pages() holds mmap_lock across the migration (before 4.17), are read
   * from it (see paths/move_pages.ts), so an override keeps its preset's era.
   */
  readonly preset: string;
  /** The preset's era facts (eras.ts): behaviour of that release outside the debates' axes. */
  readonly era: KernelEra;
  readonly fault_lock: FaultLockVariant;
  readonly file_fault_lock: FileFaultLockVariant;
  readonly migration_wait: MigrationWaitVariant;
  readonly wp_reuse: WpReuseVariant;
  readonly gup_cow: GupCowVariant;
  readonly fork_cow: ForkCowVariant;
  readonly swapin: SwapinVariant;
  readonly rmap_lock: RmapLockVariant;
}
