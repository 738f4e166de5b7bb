/**
 * Accounting of one policy's replay: the summary counters, latency per (op, path), refcount
 * outcomes, integrity findings with their first example, findings (deadlocks, kernel BUGs) and
 * diagnostic counters. Plain data; turned into a PolicyResult at the end.
 */
import { Histogram } from './histogram.js';
import type { CounterDef } from '../../util/diagnostics.js';
import type { Finding, IntegrityRow, LatencyRow, RefcountRow, SummaryCounters } from '../result.js';

/** Diagnostic counters of the replay with their meaning (printed when non-zero). */
export const REPLAY_COUNTERS = {
  sigsegv: 'accesses outside any VMA with --no-auto-vma (the thread continues, as after a handled signal)',
  auto_vma_created: 'anonymous VMAs created by --auto-vma around unmapped addresses',
  migrate_same_node: 'pages asked to move to the node they are already on (no-op)',
  migrate_not_present: 'pages asked to move that were not mapped (skipped, as move_pages reports -ENOENT)',
  migrate_not_anon: 'pages asked to move that are not anonymous (file and shmem folios are skipped unless page-cache migration is enabled)',
  migrate_busy: 'pages asked to move that another migrator had isolated (skipped, as move_pages reports -EBUSY)',
  migrate_freed_under_us: 'isolated folios whose last other reference went while they waited to migrate (done, as the kernel counts them)',
  migrate_writeback: 'migration attempts on a folio under writeback (retried next pass; MIGRATE_SYNC would wait for it)',
  migrate_unmap_incomplete: 'migration attempts whose rmap walk left a PTE mapping the folio (-EAGAIN without a refcount check)',
  migrate_retry_passes: 'migrate_pages() passes after the first (folios retried after -EAGAIN)',
  migration_entry_waits: 'faults that waited on a migration entry (migration_entry_wait)',
  mprotect_enomem: 'mprotect ranges that ran into a hole with no VMA (stopped there, as -ENOMEM)',
  vma_adjust_calls: 'vma_adjust() calls (boundary moves, merges, splits): each writes vm_start, vm_end, vm_pgoff store by store',
  vma_splits: 'VMAs split (__split_vma) by munmap or mprotect',
  vma_merges: 'mprotect ranges merged into a neighbouring VMA (vma_merge)',
  fault_retries: 'faults that returned VM_FAULT_RETRY and were retried',
  swap_fault_vma_retries: 'swap faults under the VMA lock that returned VM_FAULT_RETRY at once (fault_lock=vma-swap-fallback, 6.4)',
  folio_lock_retries: 'faults that met a locked folio, dropped the fault lock, waited and returned VM_FAULT_RETRY (folio_lock_or_retry)',
  folio_lock_waits_vma_locked: 'faults that slept on a locked folio holding the VMA read lock (fault_lock=vma-wait)',
  folio_lock_waits_mmap_locked: 'faults that slept on a locked folio holding mmap_lock (a retry, or fault_lock=mmap-noretry)',
  swapcache_prepare_backoffs: 'skip-path swap-ins whose swapcache_prepare() failed (another swap-in of the entry): slept with the fault lock held, then refaulted',
  swapcache_wq_wakeups: 'swapcache_wq waiters woken by a swapcache_clear() (swapin=skip-prepare-wq)',
  swapcache_wq_timeouts: 'swapcache_wq waiters woken by the one-tick timeout instead (a missed wake-up, or a swap-in longer than a tick)',
  swapcache_eexist_retries: 'swap-cache swap-ins whose swapcache_prepare() found the entry taken (another swap-in got there first): looked again',
  swapin_pte_changed: 'swap-ins whose pte_same() check failed after the read (another thread mapped or zapped the entry): the folio was dropped',
  swapin_swapcache_changed: 'swap-ins whose swap-cache folio left the swap cache while they waited for its lock',
  swapin_entry_gone: 'swap-ins that found the swap entry already freed (another thread faulted it in)',
  swap_readahead_pages: 'pages read ahead of a swap fault into the swap cache',
  swap_reads: 'read requests sent to the swap device (contiguous slots merge)',
  swap_read_pages: 'pages read from the swap device',
  swap_writes: 'write requests sent to the swap device',
  swap_write_pages: 'pages written to the swap device',
  swap_slots_allocated: 'swap slots allocated by add_to_swap()',
  swap_slots_reused: 'swap slots allocated again after being freed (LIFO reuse: what makes the ABA race possible)',
  swap_slots_freed: 'swap slots freed (no PTE and no swap cache refers to them)',
  disk_reads: 'read requests sent to the file disk (readahead windows merge contiguous pages)',
  disk_read_pages: 'pages read from the file disk',
  disk_writes: 'write requests sent to the file disk (writeback of dirty shared file pages)',
  disk_write_pages: 'pages written to the file disk',
  file_readahead_windows: 'file readahead windows submitted (read-around on a miss, async readahead on a PG_readahead hit)',
  file_readaround_skipped: 'file faults that missed with mmap_miss above MMAP_LOTSAMISS: no read-around, one page read',
  file_single_page_reads: 'file faults that read one not-uptodate page (filemap_read_folio)',
  file_fault_vma_retries: 'file faults under the VMA lock that returned VM_FAULT_RETRY to take mmap_lock (file_fault_lock=vma-fallback, 6.5-6.6)',
  fault_around_pages: 'PTEs mapped by fault-around (filemap_map_pages) from the page cache',
  folios_resident_peak: 'the most folios resident at once (allocated, not freed): the footprint --memory-limit bounds',
  reclaim_scanned: 'LRU folios scanned by direct reclaim (--memory-limit)',
  reclaim_freed: 'folios freed by reclaim (direct reclaim and MADV_PAGEOUT)',
  pageout_isolated: 'folios isolated by MADV_PAGEOUT for reclaim',
  vma_lock_fallbacks: 'faults whose lock_vma_under_rcu() failed and took mmap_lock',
  ticks: 'timer ticks taken by busy CPUs',
  context_switches: 'context switches',
  tlb_shootdowns: 'TLB shootdowns (IPIs sent to other CPUs)',
  dma_without_reference: 'dma_read/dma_write over pages with no pin or gup reference of that process (ignored)',
  unpin_without_pin: 'unpin/gup_put with no matching pin/gup reference (ignored)',
  ops_after_exit: 'rows of a thread after its exit row (ignored)',
  threads_never_started: 'threads of a forked pid whose fork never ran (their rows are not replayed)',
  gup_faults: 'faults taken by GUP (pin, gup) through faultin_page; not counted in faults',
  gup_efault: 'pin/gup rows that stopped early: no VMA, or FOLL_WRITE on a read-only VMA (-EFAULT)',
  unshare_copies: 'pages copied by FAULT_FLAG_UNSHARE (an R/O pin of a possibly shared page, 5.19+)',
  gup_released_last_ref: 'folios freed by unpin/gup_put because the mapping was already gone',
  fork_prealloc_restarts: 'copy_pte_range restarts after copy_present_pte needed a preallocated page (-EAGAIN)',
  dma_write_zero_page: 'dma_write through a reference to the shared zero page (ignored)',
  reclaim_referenced: 'folios reclaim spared because a PTE mapping them was young (used since the last scan; the accessed bit is cleared: folio_check_references)',
  reclaim_no_progress: 'direct reclaims that gave up after MAX_RECLAIM_RETRIES passes freed nothing (the OOM killer was invoked)',
  oom_kills: 'processes killed by the OOM killer because reclaim could not meet --memory-limit (pinned or unreclaimable memory): see the findings',
  rows_after_oom_kill: 'rows of an OOM-killed thread that were not replayed (the thread exited at its next row)',
  accesses_killed: 'accesses or GUP calls cut short because the thread was OOM-killed (fatal signal pending)',
} as const satisfies Readonly<Record<string, string>>;

/**
 * A replay counter's name: one of REPLAY_COUNTERS, or `op_not_emulated.<op>` for an op no path
 * handles. A typo is a compile error, not a silently new counter.
 */
export type ReplayCounter = keyof typeof REPLAY_COUNTERS | `op_not_emulated.${string}`;

/** Counters that deserve a warning rather than an info line (the rest are info). */
const WARNING_COUNTERS = new Set(['sigsegv', 'threads_never_started', 'dma_without_reference', 'unpin_without_pin', 'ops_after_exit']);

/** Every replay counter with its severity and description, for meta.json and reports. */
export function replayCounterDefs(): CounterDef[] {
  return Object.entries(REPLAY_COUNTERS).map(([name, description]) => ({
    name,
    severity: WARNING_COUNTERS.has(name) ? 'warning' : 'info',
    description,
  }));
}

export class ReplayStats {
  readonly summary: SummaryCounters = {
    events: 0, faults: 0, major_faults: 0, makespan_cycles: 0, mmap_lock_wait_cycles: 0, vma_lock_wait_cycles: 0,
    migrate_pages: 0, migrate_ok: 0, migrate_failed: 0, refcount_failures: 0, cow_copies: 0, fork_copies: 0,
    swapins: 0, duplicate_swapins: 0, integrity_violations: 0, stale_migration_entries: 0, deadlocks: 0,
  };
  readonly faultLatency = new Histogram();
  /** Latency rows by op, then by path (no per-event string building). */
  private readonly latency = new Map<string, Map<string, LatencyRow>>();
  private readonly refcount = new Map<string, RefcountRow>();
  private readonly integrity = new Map<string, IntegrityRow>();
  readonly findings: Finding[] = [];
  readonly counters = new Map<string, number>();

  /** Histogram for (op, path), created on first use. */
  latencyOf(op: string, path: string): Histogram {
    let byPath = this.latency.get(op);
    if (byPath === undefined) {
      byPath = new Map();
      this.latency.set(op, byPath);
    }
    let r = byPath.get(path);
    if (r === undefined) {
      r = { op, path, hist: new Histogram() };
      byPath.set(path, r);
    }
    return r.hist;
  }

  count(name: ReplayCounter, n = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + n);
  }

  refcountOutcome(path: RefcountRow['path'], outcome: RefcountRow['outcome'], holder: string): void {
    const key = `${path}\t${outcome}\t${holder}`;
    const r = this.refcount.get(key);
    if (r !== undefined) r.count++;
    else this.refcount.set(key, { path, outcome, holder, count: 1 });
  }

  /** An integrity finding; `integrity_violations` counts lost writes and leaks. */
  integrityFinding(kind: string, tid: number, addr: number, cycles: number): void {
    const r = this.integrity.get(kind);
    if (r !== undefined) r.count++;
    else this.integrity.set(kind, { kind, count: 1, first_tid: tid, first_addr: addr, first_cycles: cycles });
    if (kind !== 'stale_migration_entry') this.summary.integrity_violations++;
  }

  latencyRows(): LatencyRow[] {
    return [...this.latency.values()].flatMap((m) => [...m.values()]).filter((r) => r.hist.count > 0).sort((a, b) => cmp(a.op, b.op) || cmp(a.path, b.path));
  }

  refcountRows(): RefcountRow[] {
    return [...this.refcount.values()].sort((a, b) => cmp(a.path, b.path) || cmp(a.outcome, b.outcome) || cmp(a.holder, b.holder));
  }

  integrityRows(): IntegrityRow[] {
    return [...this.integrity.values()].sort((a, b) => cmp(a.kind, b.kind));
  }

  counterValues(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of [...this.counters.keys()].sort()) if (this.counters.get(k)! !== 0) out[k] = this.counters.get(k)!;
    return out;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
