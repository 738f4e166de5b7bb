/**
 * schedule_timeout_uninterruptible() (kernel/time/timer.c) and the wait-queue variant used by
 * do_swap_page's swapcache_prepare() back-off: the task sleeps (TASK_UNINTERRUPTIBLE) until its
 * timer fires or, when it sits on a wait queue, until a wake_up() on that queue, whichever comes
 * first. Whatever lock the caller holds stays held for the whole sleep.
 *
 * The timeout is a whole jiffy (`k.costs.jiffy`): Barry Song's 01626a1823 describes the 6.8
 * back-off as "always sleeping for a full tick". (A real one-jiffy timer fires at the next tick
 * boundary, so anywhere in (0, 1] jiffy; docs/swap-and-file-faults.md.)
 */
import { BLOCKED, type Block } from '../engine/task.js';
import type { Kernel } from '../kernel.js';
import type { WaitQueue } from '../locks/waitqueue.js';

/** Sleep for `cycles`, woken by the timer only. */
export function schedule_timeout_uninterruptible(k: Kernel, cycles: number): Block {
  return {
    what: 'schedule_timeout',
    block(task): number {
      const e = k.engine;
      e.sleep(task, this);
      e.call(e.now + cycles, () => e.wake(task, e.now));
      return BLOCKED;
    },
  };
}

/**
 * add_wait_queue(wq) + schedule_timeout_uninterruptible(cycles) + remove_wait_queue(wq): sleep
 * until wake_up(wq) or the timeout; `onTimeout` runs when the timer, not a wake-up, ended it.
 */
export function sleep_on_timeout(k: Kernel, wq: WaitQueue, cycles: number, onTimeout: () => void): Block {
  return {
    what: wq.what,
    block(task): number {
      const e = k.engine;
      wq.add(task, false, e.now);
      const me = wq.waiters[wq.waiters.length - 1]!;
      e.sleep(task, this);
      e.call(e.now + cycles, () => {
        const i = wq.waiters.indexOf(me);
        if (i < 0) return; // woken by wake_up() already
        wq.waiters.splice(i, 1);
        onTimeout();
        e.wake(task, e.now);
      });
      return BLOCKED;
    },
  };
}

/** wake_up(wq): wake every (non-exclusive) waiter; returns how many were woken. */
export function wake_up(k: Kernel, wq: WaitQueue): number {
  const woken = wq.takeWakeable(Infinity);
  for (const w of woken) k.engine.wake(w.task, k.now);
  return woken.length;
}

/**
 * cond_resched(): give the CPU to a runnable task, if any (to the back of the run queue);
 * otherwise carry on at once.
 */
export function cond_resched(k: Kernel): Block {
  return {
    what: 'cond_resched',
    block(task): number {
      const e = k.engine;
      if (!e.hasRunnable()) return 0;
      e.sleep(task, this);
      e.wake(task, e.now, 0);
      return BLOCKED;
    },
  };
}
