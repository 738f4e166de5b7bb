/**
 * A reader-writer semaphore with the kernel's fairness (kernel/locking/rwsem.c): sleeping; a
 * trylock fails while waiters are queued (RWSEM_FLAG_WAITERS); once a writer queues, later
 * readers queue behind it; on release the lock is handed to the head of the FIFO queue: one
 * writer, or the run of readers at the head. Used for mmap_lock, the per-VMA lock and the
 * anon_vma lock (an rwsem since 3.8).
 *
 * States: free -> read-held (readers > 0) | write-held (writer set); read-held -> free when the
 * last reader leaves; write-held -> free; a handoff moves straight to the next holder(s).
 */
import { BLOCKED, type Block, type Task } from '../engine/task.js';
import { InvariantError } from '../../util/errors.js';
import { CacheLine, type LockStat } from './lockstat.js';
import type { LockEnv } from './env.js';

interface Waiter {
  task: Task;
  write: boolean;
  since: number;
}

export class RwSem {
  readers = 0;
  writer: Task | null = null;
  private readonly queue: Waiter[] = [];
  /** Holders and when each took the lock (parallel arrays: usually one or two entries). */
  private readonly holders: Task[] = [];
  private readonly holdSince: number[] = [];
  readonly line = new CacheLine();
  private readonly statR: LockStat;
  private readonly statW: LockStat;
  /** Block that takes the lock for read (down_read). */
  readonly read: Block;
  /** Block that takes the lock for write (down_write). */
  readonly write: Block;

  constructor(private readonly env: LockEnv, readonly lockClass: string) {
    this.statR = env.stats.get(lockClass, 'rwsem:R');
    this.statW = env.stats.get(lockClass, 'rwsem:W');
    const holders = (): readonly Task[] => this.holders;
    this.read = { what: `${lockClass}:R`, sliced: true, block: (t) => this.acquire(t, false), holders };
    this.write = { what: `${lockClass}:W`, sliced: true, block: (t) => this.acquire(t, true), holders };
  }

  /** Number of tasks queued. */
  get waiting(): number {
    return this.queue.length;
  }

  /** True when a writer waits in the queue (new readers would queue behind it). */
  get writerQueued(): boolean {
    return this.queue.some((w) => w.write);
  }

  /** down_read_trylock / down_write_trylock: take it now or return false; never sleeps. */
  tryLock(task: Task, write: boolean): boolean {
    if (this.writer !== null || this.queue.length > 0 || (write && this.readers > 0)) return false;
    this.grant(task, write, this.env.engine.now);
    (write ? this.statW : this.statR).acquisitions++;
    return true;
  }

  /** Cycles to charge for an acquisition by `task` now (atomic + cache-line transfer). */
  cost(task: Task): number {
    return this.env.uncontended + this.line.touch(task.runningCpu.id, this.env.engine.now, this.env.transfer);
  }

  private acquire(task: Task, write: boolean): number {
    const stat = write ? this.statW : this.statR;
    stat.acquisitions++;
    if (this.writer === null && this.queue.length === 0 && (!write || this.readers === 0)) {
      this.grant(task, write, this.env.engine.now);
      return this.cost(task);
    }
    stat.contentions++;
    const now = this.env.engine.now;
    this.queue.push({ task, write, since: now });
    this.env.stats.timeline?.begin(task.tid, `lock-wait:${this.lockClass}`, now);
    this.env.engine.sleep(task, write ? this.write : this.read);
    return BLOCKED;
  }

  private grant(task: Task, write: boolean, now: number): void {
    if (write) this.writer = task;
    else this.readers++;
    this.holders.push(task);
    this.holdSince.push(now);
  }

  /**
   * up_read / up_write by `task`. Returns the cycles the releasing CPU spends on the lock word:
   * __up_read()/__up_write() are an atomic add on `sem->count` (kernel/locking/rwsem.c), so the
   * release needs the count's cache line like the acquisition did; under contention it waits
   * for the transfers queued before it. The line is occupied whether or not the caller charges
   * the returned cycles (paths on the fault hot path yield them).
   */
  unlock(task: Task): number {
    const now = this.env.engine.now;
    const h = this.holders.lastIndexOf(task);
    if (h < 0) throw new InvariantError(`${this.lockClass} released by a task that does not hold it`, `task ${task.tid}`);
    const start = this.holdSince[h]!;
    const last = this.holders.length - 1;
    this.holders[h] = this.holders[last]!;
    this.holdSince[h] = this.holdSince[last]!;
    this.holders.pop();
    this.holdSince.pop();
    const write = this.writer === task;
    if (write) this.writer = null;
    else this.readers--;
    (write ? this.statW : this.statR).hold.record(now - start);
    this.env.stats.timeline?.lockHold(this.lockClass, write ? 'rwsem:W' : 'rwsem:R', task.tid, start, now);
    // The atomic on the count word (the uncontended pair was charged at the acquisition); a
    // release by a task off CPU (teardown) moves no line.
    const cycles = task.cpu === null ? 0 : this.line.touch(task.cpu.id, now, this.env.transfer);
    this.handoff(now);
    return cycles;
  }

  /** Hand the lock to the head of the queue if it is free for it. */
  private handoff(now: number): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.write ? this.writer !== null || this.readers > 0 : this.writer !== null) return;
      this.queue.shift();
      this.grant(head.task, head.write, now);
      const stat = head.write ? this.statW : this.statR;
      stat.wait.record(now - head.since);
      this.env.stats.timeline?.end(head.task.tid, now);
      // The woken task pays the transfer of the lock word when it runs.
      this.env.engine.wake(head.task, now + this.env.uncontended + this.env.transfer);
      if (head.write) return;
    }
  }

  /** Holder description for deadlock reports. */
  describe(): string {
    const w = this.writer !== null ? `writer ${this.writer.tid}` : `${this.readers} readers`;
    return `${this.lockClass} held by ${w}, ${this.queue.length} waiting`;
  }
}
