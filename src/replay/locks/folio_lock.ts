/**
 * The folio lock (PG_locked, mm/filemap.c): a bit lock whose waiters sleep on the folio's wait
 * queue. folio_lock() waiters are exclusive and get the lock handed to them on unlock, the
 * oldest first (fairness since 2a9127fcf229, 5.9); folio_wait_locked() waiters are
 * non-exclusive and are all woken by the unlock without taking the lock. The lock is taken by a
 * task and may be released by another context (a read completion's folio_end_read), so hold
 * time is measured from lock to unlock whoever releases it. Statistics: class `folio_lock`,
 * type `bitlock`.
 *
 * States: unlocked -> locked (trylock, lock, or allocation with __folio_set_locked);
 * locked -> unlocked (folio_unlock with no exclusive waiter) or locked by the next exclusive
 * waiter (handoff). Unlocking an unlocked folio is an invariant failure.
 */
import { BLOCKED, type Block, type Task } from '../engine/task.js';
import { InvariantError } from '../../util/errors.js';
import { PG_LOCKED, type Folio } from '../mm/folio.js';
import type { LockEnv } from './env.js';


function take(folio: Folio, now: number): void {
  folio.set(PG_LOCKED);
  // The lock's hold-time start, in the folio store's lockedAt column.
  folio.lockedAt = now;
}

/** folio_trylock(): take the lock if it is free; never sleeps. */
export function folio_trylock(env: LockEnv, folio: Folio, task: Task): boolean {
  const stat = env.stats.get('folio_lock', 'bitlock');
  if (folio.locked) return false;
  stat.acquisitions++;
  take(folio, env.engine.now);
  return true;
}

/**
 * __folio_set_locked(): a folio nobody else can see yet (just allocated) starts locked; no
 * atomic, no statistics beyond the hold time.
 */
export function folio_set_locked(env: LockEnv, folio: Folio, task: Task): void {
  if (folio.locked) throw new InvariantError('__folio_set_locked on a locked folio', `folio ${folio.id}`, folio.recentHistory());
  take(folio, env.engine.now);
}

/** folio_lock(): a Block that takes the lock, sleeping (exclusive waiter) while it is held. */
export function folioLock(env: LockEnv, folio: Folio): Block {
  return {
    what: 'folio lock',
    sliced: true,
    block(task: Task): number {
      const stat = env.stats.get('folio_lock', 'bitlock');
      stat.acquisitions++;
      const now = env.engine.now;
      if (!folio.locked) {
        take(folio, now);
        return env.uncontended;
      }
      stat.contentions++;
      folio.waitq.add(task, true, now);
      if (env.stats.timeline !== null) {
        env.stats.timeline.begin(task.tid, 'lock-wait:folio_lock', now);
        task.waitSliced = true;
      }
      env.engine.sleep(task, this);
      return BLOCKED;
    },
  };
}

/** folio_wait_locked(): sleep until the folio is unlocked (non-exclusive); returns at once if it is. */
export function folioWaitLocked(env: LockEnv, folio: Folio): Block {
  return {
    what: 'folio_wait_locked',
    sliced: true,
    block(task: Task): number {
      if (!folio.locked) return 0;
      const now = env.engine.now;
      folio.waitq.add(task, false, now);
      if (env.stats.timeline !== null) {
        env.stats.timeline.begin(task.tid, 'folio-wait', now);
        task.waitSliced = true;
      }
      env.engine.sleep(task, this);
      return BLOCKED;
    },
  };
}

/**
 * folio_unlock() (folio_wake_bit): clear PG_locked, wake every non-exclusive waiter, and hand
 * the lock to the oldest exclusive waiter if there is one. Waiters queued by other paths on the
 * same wait queue (migration-entry waits) are woken here too: they wait for the same bit.
 */
export function folio_unlock(env: LockEnv, folio: Folio): void {
  if (!folio.locked) throw new InvariantError('folio_unlock of an unlocked folio', `folio ${folio.id}`, folio.recentHistory());
  const now = env.engine.now;
  const stat = env.stats.get('folio_lock', 'bitlock');
  stat.hold.record(now - folio.lockedAt);
  folio.clear(PG_LOCKED);
  // No queue was ever made for this folio: nobody waits (most unlocks; no allocation).
  const wq = folio.waitqIfAny;
  if (wq === null) return;
  for (const w of wq.takeWakeable(1)) {
    if (w.task.waitSliced) {
      w.task.waitSliced = false;
      env.stats.timeline?.end(w.task.tid, now);
    }
    if (w.exclusive) {
      // Handoff: the exclusive waiter owns the lock from now on.
      stat.wait.record(now - w.since);
      take(folio, now);
    }
    env.engine.wake(w.task, now);
  }
}
