/**
 * Strategy interfaces, one per policy axis (DESIGN.md section 3). A variant is a small object
 * that changes only admission, ordering, which step runs next, or whether a reference is taken;
 * the shared mechanism (wait queues, refcounts, PTE states) lives once in the model and paths
 * (STYLE.md point 3). Each variant lives in its own module under variants/, naming the commit.
 */

/** What every variant says about itself. */
export interface VariantInfo {
  readonly name: string;
  /** Kernel commit or lore Message-ID it mirrors; "proposed" for unmerged ideas. */
  readonly commit: string;
  /** One line: what the variant does differently. */
  readonly summary: string;
}

/** fault_lock: which lock anonymous and swap faults take, and how they wait for a locked folio. */
export interface FaultLockVariant extends VariantInfo {
  /** Try lock_vma_under_rcu() before mmap_lock for anonymous VMAs (6.4+). */
  readonly vmaLock: boolean;
  /** do_swap_page() under the VMA lock returns VM_FAULT_RETRY at once (6.4). */
  readonly swapRetriesUnderVmaLock: boolean;
  /** FAULT_FLAG_ALLOW_RETRY: a first try that meets a locked folio drops the lock, waits, retries. */
  readonly allowRetry: boolean;
  /** A VMA-locked fault sleeps on a locked folio holding the VMA read lock, no retry (proposal). */
  readonly waitHoldingVmaLock: boolean;
}

/** file_fault_lock: whether file-backed faults are handled under the VMA lock. */
export interface FileFaultLockVariant extends VariantInfo {
  /** lock_vma_under_rcu() accepts file-backed VMAs (6.5+; 6.4 refuses non-anonymous VMAs). */
  readonly vmaLockFile: boolean;
  /** handle_mm_fault returns VM_FAULT_RETRY for a VMA-locked file fault (6.5-6.6). */
  readonly retryFileUnderVmaLock: boolean;
}

/** migration_wait: what a fault on a migration entry holds while it waits. */
export interface MigrationWaitVariant extends VariantInfo {
  /** `hold`: a page reference for the whole sleep; `window`: only until enqueued; `none`: none. */
  readonly pageRef: 'hold' | 'window' | 'none';
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

/** swapin: swap-in on a SWP_SYNCHRONOUS_IO device. */
export interface SwapinVariant extends VariantInfo {
  /** Skip the swap cache for a synchronous device and swap count 1 (0bcac06f27d7). */
  readonly skipSwapCache: boolean;
  /** Serialise skip-path swap-ins with swapcache_prepare(): `none`, back off one `tick`, or `wq`. */
  readonly prepare: 'none' | 'tick' | 'wq';
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
   * The preset the policy was built on (`linux-6.12`): era facts that are not a DESIGN.md axis,
   * such as whether move_pages() holds mmap_lock across the migration (before 4.17), are read
   * from it (see paths/move_pages.ts), so an override keeps its preset's era.
   */
  readonly preset: string;
  readonly fault_lock: FaultLockVariant;
  readonly file_fault_lock: FileFaultLockVariant;
  readonly migration_wait: MigrationWaitVariant;
  readonly wp_reuse: WpReuseVariant;
  readonly gup_cow: GupCowVariant;
  readonly fork_cow: ForkCowVariant;
  readonly swapin: SwapinVariant;
  readonly rmap_lock: RmapLockVariant;
}
