/**
 * A spinlock (queued, FIFO like qspinlock): a waiter keeps its CPU and burns it until the lock is
 * handed over. `irq` locks (spin_lock_irq) keep interrupts off on the holder's CPU from the
 * request until the unlock, so ticks and completions wait: the PTL and the swap cluster lock are
 * plain; the anon_vma spinlock of 2.6.34 and the xarray lock of the swap cache are irq-safe.
 */
import { BLOCKED, type Block, type Task } from '../engine/task.js';
import { InvariantError } from '../../util/errors.js';
import { CacheLine, type LockStat } from './lockstat.js';
import type { LockEnv } from './env.js';

export class SpinLock {
  holder: Task | null = null;
  private since = 0;
  private readonly queue: { task: Task; since: number }[] = [];
  readonly line = new CacheLine();
  private readonly stat: LockStat;
  /** Block that takes the lock (spin_lock / spin_lock_irq). */
  readonly lock: Block;

  constructor(private readonly env: LockEnv, readonly lockClass: string, readonly irq = false) {
    this.stat = env.stats.get(lockClass, 'spinlock');
    this.lock = { what: lockClass, block: (t) => this.acquire(t), holders: () => (this.holder === null ? [] : [this.holder]) };
  }

  private acquire(task: Task): number {
    this.stat.acquisitions++;
    if (this.irq) task.irqOff++;
    const now = this.env.engine.now;
    if (this.holder === null) {
      this.holder = task;
      this.since = now;
      return this.env.uncontended + this.line.touch(task.runningCpu.id, now, this.env.transfer);
    }
    if (this.holder === task) throw new InvariantError(`${this.lockClass} taken twice by one task (self-deadlock)`, `task ${task.tid}`);
    this.stat.contentions++;
    this.queue.push({ task, since: now });
    this.env.stats.timeline?.begin(task.tid, `spin:${this.lockClass}`, now);
    this.env.engine.spin(task, this.lock);
    return BLOCKED;
  }

  /** spin_trylock. */
  tryLock(task: Task): boolean {
    if (this.holder !== null) return false;
    this.stat.acquisitions++;
    if (this.irq) task.irqOff++;
    this.holder = task;
    this.since = this.env.engine.now;
    return true;
  }

  /** spin_unlock (spin_unlock_irq for irq locks). */
  unlock(task: Task): void {
    if (this.holder !== task) throw new InvariantError(`${this.lockClass} released by a non-owner`, `task ${task.tid}`);
    const now = this.env.engine.now;
    this.stat.hold.record(now - this.since);
    this.env.stats.timeline?.lockHold(this.lockClass, 'spinlock', task.tid, this.since, now);
    if (this.irq) task.irqOff--;
    const next = this.queue.shift();
    if (next === undefined) {
      this.holder = null;
      return;
    }
    this.holder = next.task;
    this.since = now + this.env.transfer;
    this.stat.wait.record(this.since - next.since);
    this.env.stats.timeline?.end(next.task.tid, this.since);
    this.env.engine.wake(next.task, this.since);
  }

  describe(): string {
    return `${this.lockClass} held by ${this.holder?.tid ?? 'nobody'}, ${this.queue.length} spinning`;
  }
}
