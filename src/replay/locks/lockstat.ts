/**
 * Lock statistics per lock class and mode, in perf lock's words (`rwsem:R`, `rwsem:W`,
 * `spinlock`, `bitlock`), and the cache line each lock word lives on.
 */
import { Histogram } from '../stats/histogram.js';
import type { LockRow, LockType } from '../result.js';
import type { TimelineRecorder } from '../result.js';

/** Statistics of one (class, type). */
export class LockStat {
  acquisitions = 0;
  contentions = 0;
  readonly wait = new Histogram();
  readonly hold = new Histogram();
  constructor(readonly lock: string, readonly type: LockType) {}
}

/** All lock statistics of one replay. */
export class LockStats {
  private readonly byKey = new Map<string, LockStat>();
  timeline: TimelineRecorder | null = null;

  /** The statistics object for a class and type (created on first use). */
  get(lock: string, type: LockType): LockStat {
    const key = `${lock}\t${type}`;
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = new LockStat(lock, type);
      this.byKey.set(key, s);
    }
    return s;
  }

  /** Rows for the report, sorted by lock then type. */
  rows(): LockRow[] {
    return [...this.byKey.values()]
      .filter((s) => s.acquisitions > 0)
      .sort((a, b) => (a.lock < b.lock ? -1 : a.lock > b.lock ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
      .map((s) => ({ lock: s.lock, type: s.type, acquisitions: s.acquisitions, contentions: s.contentions, wait: s.wait, hold: s.hold }));
  }
}

/**
 * The cache line a lock word lives on. Touching it from a CPU other than the last one costs a
 * transfer, and transfers of one line serialise: under many CPUs hammering one line (mmap_lock's
 * count at high thread counts) each waits for the ones before it.
 */
export class CacheLine {
  private lastCpu = -1;
  private busyUntil = 0;
  transfers = 0;

  /** Cycles the CPU `cpu` spends to own the line at `now`. */
  touch(cpu: number, now: number, transfer: number): number {
    if (cpu === this.lastCpu && now >= this.busyUntil) return 0;
    if (cpu === this.lastCpu) return this.busyUntil - now;
    this.lastCpu = cpu;
    this.transfers++;
    const start = now > this.busyUntil ? now : this.busyUntil;
    this.busyUntil = start + transfer;
    return this.busyUntil - now;
  }
}
