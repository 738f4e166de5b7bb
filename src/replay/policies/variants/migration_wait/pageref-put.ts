/** migration_wait=pageref-put: take a reference, enqueue on the page waitqueue, drop the reference, then sleep. Mirrors 9a1ea439b16b (5.0-5.16, put_and_wait_on_page_locked). */
import type { MigrationWaitVariant } from '../../types.js';

export const migrationWaitPagerefPut: MigrationWaitVariant = {
  name: 'pageref-put',
  commit: '9a1ea439b16b (5.0-5.16, put_and_wait_on_page_locked)',
  summary: 'take a reference, enqueue on the page waitqueue, drop the reference, then sleep',
  pageRef: 'window',
  // The reference, the PTL unlock, then put_and_wait_on_page_locked(): the call and
  // prepare_to_wait() run with the reference held, which is dropped before the sleep.
  *wait(w) {
    if (!w.tryGetRef()) {
      w.unlockPtl();
      return;
    }
    w.unlockPtl();
    yield w.callCost;
    const locked = w.folioLocked;
    if (locked) w.enqueue();
    w.putRef('put_and_wait_on_page_locked');
    if (locked) yield* w.sleepQueued();
  },
};
