/**
 * Accounting of one policy's replay: the summary counters, latency per (op, path), refcount
 * outcomes, integrity findings with their first example, findings (deadlocks, kernel BUGs) and
 * diagnostic counters. Plain data; turned into a PolicyResult at the end.
 */
import { Histogram } from './histogram.js';
import type { Finding, IntegrityRow, LatencyRow, RefcountRow, SummaryCounters } from '../result.js';

/** Diagnostic counters of the replay with their meaning (printed when non-zero). */
export const REPLAY_COUNTERS: Readonly<Record<string, string>> = {
  sigsegv: 'accesses outside any VMA with --no-auto-vma (the thread continues, as after a handled signal)',
  auto_vma_created: 'anonymous VMAs created by --auto-vma around unmapped addresses',
  migrate_same_node: 'pages asked to move to the node they are already on (no-op)',
  migrate_not_present: 'pages asked to move that were not mapped (skipped, as move_pages reports -ENOENT)',
  fault_retries: 'faults that returned VM_FAULT_RETRY and were retried',
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
};

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

  count(name: string, n = 1): void {
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
