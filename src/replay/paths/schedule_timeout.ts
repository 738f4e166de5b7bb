/**
 * schedule_timeout_uninterruptible() (kernel/time/timer.c) and the wait-queue variant used by
 * do_swap_page's swapcache_prepare() back-off: the task sleeps (TASK_UNINTERRUPTIBLE) until its
 * timer fires or, when it sits on a wait queue, until a wake_up() on that queue, whichever comes
 * first. Whatever lock the caller holds stays held for the whole sleep.
 *
 * A timeout of `jiffies` expires as the timer wheel runs it: at the tick of the CPU the sleeper
 * armed it on, `jiffies - 1` ticks after the next one, so a one-jiffy sleep ends anywhere in
 * (0, 1] jiffy (kernel/time/timer.c: the timer is due at jiffies + 1, run from that tick's
 * softirq). Barry Song's 01626a1823 calls the 6.8 back-off "always sleeping for a full tick": a
 * tick boundary, not a whole jiffy from now (docs/era-findings.md item 9).
 */
import { BLOCKED, type Block, type Task } from '../engine/task.js';
import type { Kernel } from '../kernel.js';
import type { WaitQueue } from '../locks/waitqueue.js';

/** The cycle a `jiffies`-jiffy timer armed now by `task` (on its CPU) fires. */
function timerExpiry(k: Kernel, task: Task, jiffies: number): number {
  const e = k.engine;
  return task.runningCpu.tickAfter(e.now) + (jiffies - 1) * k.costs.jiffy;
}

/** Sleep for `jiffies` jiffies, woken by the timer only. */
export function schedule_timeout_uninterruptible(k: Kernel, jiffies: number): Block {
  return {
    what: 'schedule_timeout',
    block(task): number {
      const e = k.engine;
      const at = timerExpiry(k, task, jiffies);
      e.sleep(task, this);
      e.call(at, () => e.wake(task, e.now));
      return BLOCKED;
    },
  };
}

/**
 * add_wait_queue(wq) + schedule_timeout_uninterruptible(cycles) + remove_wait_queue(wq): sleep
 * until wake_up(wq) or the timeout; `onTimeout` runs when the timer, not a wake-up, ended it.
 */
export function sleep_on_timeout(k: Kernel, wq: WaitQueue, jiffies: number, onTimeout: () => void): Block {
  return {
    what: wq.what,
    block(task): number {
      const e = k.engine;
      const at = timerExpiry(k, task, jiffies);
      wq.add(task, false, e.now);
      const me = wq.waiters[wq.waiters.length - 1]!;
      e.sleep(task, this);
      e.call(at, () => {
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
