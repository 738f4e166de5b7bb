/**
 * Diagnostics are data (STYLE.md point 8, after Perfetto's stats.h): one registry of named
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
