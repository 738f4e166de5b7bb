/**
 * What a replay returns: plain data, no I/O (docs/style.md point 1). One PolicyResult per policy, in
 * the order the policies were given. All times are in emulated CPU cycles; reports convert to
 * ns with the machine's `cpuGhz` (docs/design.md section 5).
 */
import type { Histogram } from './stats/histogram.js';

/** The counters of `summary.csv` other than the latency figures (docs/design.md section 5). */
export interface SummaryCounters {
  events: number;
  faults: number;
  major_faults: number;
  makespan_cycles: number;
  mmap_lock_wait_cycles: number;
  vma_lock_wait_cycles: number;
  migrate_pages: number;
  migrate_ok: number;
  migrate_failed: number;
  refcount_failures: number;
  cow_copies: number;
  fork_copies: number;
  swapins: number;
  duplicate_swapins: number;
  integrity_violations: number;
  stale_migration_entries: number;
  deadlocks: number;
}

/** Latency of one (op, path) pair: how events of that op were served. */
export interface LatencyRow {
  op: string;
  /** `hit`, `anon`, `zero`, `cow`, `swapin`, `swapcache`, `file`, `migration-wait`, `retry`, ... or the op itself. */
  path: string;
  hist: Histogram;
}

/** perf lock's words for lock types. */
export type LockType = 'rwsem:R' | 'rwsem:W' | 'spinlock' | 'bitlock';

/** Statistics of one lock class in one mode. Wait counts only contended acquisitions' waits. */
export interface LockRow {
  lock: string;
  type: LockType;
  acquisitions: number;
  contentions: number;
  wait: Histogram;
  hold: Histogram;
}

/** One refcount-check outcome (docs/design.md section 5, `refcount.csv`). */
export interface RefcountRow {
  path: 'migrate' | 'wp_reuse' | 'fork_copy';
  outcome: 'ok' | 'eagain' | 'failed' | 'copied' | 'reused';
  /** Who held the unexpected reference (`migration-wait`, `gup-pin`, `swapcache`, ...) or `-`. */
  holder: string;
  count: number;
}

/** One kind of integrity finding with its first example (`integrity.csv`). */
export interface IntegrityRow {
  /** `lost_write`, `leak`, `dma_lost_write`, `dma_leak`, `stale_migration_entry`, ... */
  kind: string;
  count: number;
  first_tid: number;
  first_addr: number;
  first_cycles: number;
}

/** An emulated deadlock or kernel BUG, with the tasks and locks involved. */
export interface Finding {
  kind: 'deadlock' | 'kernel_bug' | 'oom_kill';
  message: string;
  cycles: number;
  /** Wait-for chain or involved tasks, human-readable, one entry per line. */
  detail: string[];
}

/** A diagnostic counter of the replay (severity + description come from REPLAY_COUNTERS). */
export type CounterValues = Record<string, number>;

/** The result of replaying one policy. */
export interface PolicyResult {
  /** Canonical label, e.g. `linux-6.12` or `linux-6.8+swapin=skip` (no commas). */
  policy: string;
  /** Resolved variant per axis. */
  variants: Record<string, string>;
  summary: SummaryCounters;
  /** Fault latency over every access that faulted (the `fault_*` columns of summary.csv). */
  faultLatency: Histogram;
  latency: LatencyRow[];
  locks: LockRow[];
  refcount: RefcountRow[];
  integrity: IntegrityRow[];
  findings: Finding[];
  counters: CounterValues;
}

/** Machine settings a replay ran with (docs/design.md section 2), recorded in meta.json. */
export interface MachineConfig {
  cpus: number;
  nodes: number;
  cpuGhz: number;
  hz: number;
  memoryLimitBytes: number | null;
  swap: 'zram' | 'nvme' | 'hdd';
  disk: 'nvme' | 'hdd';
  timing: 'trace' | 'gap';
  autoVma: boolean;
  seed: number;
}

/** Everything a replay run produced. */
export interface ReplayResult {
  machine: MachineConfig;
  /** The cost model used (cycles per item), as resolved after `--costs`. */
  costs: Record<string, number>;
  trace: { path: string; sha256: string; rows: number };
  policies: PolicyResult[];
}

/**
 * Receives the replay as a timeline (for `--timeline`, Chrome trace-event JSON). The engine calls
 * it in cycle order per task; `begin`/`end` pairs of one task nest properly. Optional: when no
 * recorder is given the engine does no timeline work at all.
 */
export interface TimelineRecorder {
  /** A new policy's replay starts; subsequent calls belong to it. */
  policy(index: number, label: string): void;
  /** Name a task's track (once per task). */
  task(pid: number, tid: number, name: string): void;
  /** A slice opens on a task's track: `fault`, `io-wait`, `lock-wait:mmap_lock`, an op name ... */
  begin(tid: number, name: string, cycles: number, args?: Record<string, string | number>): void;
  /** The innermost open slice of that task closes. */
  end(tid: number, cycles: number): void;
  /** A point event: `refcount-failure`, `integrity-violation`, `deadlock`, `kernel-bug` ... */
  instant(tid: number, name: string, cycles: number, args?: Record<string, string | number>): void;
  /** A finished lock hold (holds of one class may overlap, e.g. rwsem readers). */
  lockHold(lock: string, type: LockType, tid: number, startCycles: number, endCycles: number): void;
}

/**
 * Receives one row per replayed event per policy (`events.arrow`), in the order events end.
 * Called on the replay's hot path when present: implementations append to typed arrays.
 */
export interface EventRecorder {
  policy(index: number, label: string): void;
  event(row: number, tid: number, op: number, path: string, outcome: string, startCycles: number, endCycles: number, retries: number): void;
  /** Let buffered rows drain (called between policies by the async replay). */
  flush(): Promise<void>;
}
