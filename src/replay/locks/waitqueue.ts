/**
 * A wait queue (wait_queue_head_t): tasks sleep on it until woken. Exclusive waiters are woken
 * one at a time, non-exclusive ones all together (__wake_up_common). The folio lock, folio
 * waits (folio_wait_locked, migration entries) and swapcache_wq are built on it.
 */
import { BLOCKED, type Block, type Task } from '../engine/task.js';

export interface QueuedWaiter {
  task: Task;
  exclusive: boolean;
  since: number;
}

export class WaitQueue {
  readonly waiters: QueuedWaiter[] = [];

  constructor(readonly what: string) {}

  /** Queue `task` (the caller then sleeps it through the engine). */
  add(task: Task, exclusive: boolean, now: number): void {
    this.waiters.push({ task, exclusive, since: now });
  }

  /** waitqueue_active(). */
  get active(): boolean {
    return this.waiters.length > 0;
  }

  /** Remove and return every non-exclusive waiter plus, first, up to `nrExclusive` exclusive ones. */
  takeWakeable(nrExclusive: number): QueuedWaiter[] {
    const out: QueuedWaiter[] = [];
    let excl = nrExclusive;
    for (let i = 0; i < this.waiters.length; ) {
      const w = this.waiters[i]!;
      if (!w.exclusive || excl > 0) {
        if (w.exclusive) excl--;
        out.push(w);
        this.waiters.splice(i, 1);
      } else i++;
    }
    return out;
  }
}

/** A Block that sleeps the task on a queue until someone wakes it (no condition re-check). */
export function sleepOn(wq: WaitQueue, exclusive = false): Block {
  return {
    what: wq.what,
    block(task: Task): number {
      const e = task.engine;
      wq.add(task, exclusive, e.now);
      e.sleep(task, this);
      return BLOCKED;
    },
  };
}
