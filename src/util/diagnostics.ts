/**
 * Diagnostics are data (docs/style.md point 8, after Perfetto's stats.h): one registry of named
 * counters with a severity and a description. Ingest and replay bump counters and carry on where
 * that is safe; reports print every non-zero counter; the CLI exits non-zero on errors.
 */

export type Severity = 'info' | 'warning' | 'error';

/** Definition of one named counter. */
export interface CounterDef {
  name: string;
  severity: Severity;
  description: string;
}

/** Every counter known to ingest. Keyed counters (`skipped.unknown_event.<name>`) extend these. */
export const INGEST_COUNTERS: readonly CounterDef[] = [
  { name: 'rows_read', severity: 'info', description: 'input records read (lines or rows)' },
  { name: 'events_written', severity: 'info', description: 'replayable events written to the table' },
  { name: 'observations_written', severity: 'info', description: 'obs_* observation rows written (analyze only)' },
  { name: 'skipped_blank', severity: 'info', description: 'blank or comment lines skipped' },
  { name: 'skipped_valgrind_chatter', severity: 'info', description: 'valgrind `==PID==` lines in lackey traces, skipped' },
  { name: 'skipped_unknown_event', severity: 'warning', description: 'trace events of a kind mmreplay does not use, skipped (see unknown_events)' },
  { name: 'skipped_unpaired_exit', severity: 'warning', description: 'sys_exit_mmap without a matching sys_enter_mmap on that thread' },
  { name: 'skipped_failed_syscall', severity: 'info', description: 'syscalls that returned an error, not replayed' },
  { name: 'skipped_kernel_address', severity: 'warning', description: 'faults at kernel addresses (at or above 2^53), not replayed' },
  { name: 'skipped_madvise_other', severity: 'info', description: 'madvise advice other than MADV_DONTNEED / MADV_PAGEOUT' },
  { name: 'obs_unknown_object', severity: 'warning', description: 'Arrow inputs whose obs_* rows name objects missing from observations.objects' },
  { name: 'extra_columns', severity: 'warning', description: 'CSV columns outside the contract, ignored' },
  { name: 'pid_grouping_assumed', severity: 'warning', description: 'threads whose process was assumed (no pid printed, no mm= pointer)' },
  // Recorded tracepoint traces (perf script, ftrace, trace-cmd; src/ingest/tracepoints.ts)
  { name: 'skipped_unpaired_enter', severity: 'warning', description: 'sys_enter_mmap with no sys_exit_mmap on that thread before its next mmap, the trace end or the reorder-buffer limit' },
  { name: 'skipped_syscall_exit', severity: 'info', description: 'exits of munmap/mprotect/madvise/move_pages, not needed (their entries are replayed)' },
  { name: 'skipped_move_pages', severity: 'warning', description: 'move_pages() calls: the tracepoint has only pointers to the page and node arrays, so no migrate row can be written' },
  { name: 'skipped_stack_line', severity: 'info', description: 'callchain / stack-trace lines under a sample or event, skipped' },
  { name: 'skipped_late_fork', severity: 'warning', description: 'forks recorded after the child process had already shown events; no fork row written' },
  { name: 'clone_flags_assumed', severity: 'warning', description: 'clone3 children taken as threads (CLONE_VM) because their flags were not recorded (no task:task_newtask)' },
  { name: 'pid_grouping_inferred', severity: 'info', description: 'threads with no pid printed, placed in a process by their clone/fork events or mmap_lock mm= pointers' },
  { name: 'pid_grouping_conflict', severity: 'warning', description: 'mm= pointers or clone events that contradicted an earlier process grouping (pointer reuse after exit, or a wrong guess)' },
  { name: 'lost_events', severity: 'warning', description: 'events the kernel dropped while recording (ftrace LOST EVENTS lines)' },
  { name: 'ts_before_first', severity: 'warning', description: 'events timed before the first event of the trace, clamped to ts 0' },
  { name: 'skipped_no_task', severity: 'warning', description: 'perf script events printed with no task (-1/-1), not replayed' },
  { name: 'errors', severity: 'error', description: 'input errors (each reported with file and line)' },
];

/** A bag of counters; plain object so it serialises to JSON as-is. */
export class Counters {
  private readonly values = new Map<string, number>();

  /** Add `n` (default 1) to counter `name`. */
  add(name: string, n = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + n);
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }

  /** Merge another bag into this one. */
  merge(other: Counters): void {
    for (const [k, v] of other.values) this.add(k, v);
  }

  /** Non-zero counters sorted by name, for metadata and reports. */
  toJSON(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of [...this.values.keys()].sort()) {
      const v = this.values.get(k)!;
      if (v !== 0) out[k] = v;
    }
    return out;
  }

  static fromJSON(obj: Record<string, number>): Counters {
    const c = new Counters();
    for (const [k, v] of Object.entries(obj)) c.add(k, v);
    return c;
  }
}
