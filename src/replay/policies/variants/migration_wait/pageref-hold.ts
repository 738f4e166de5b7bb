/** migration_wait=pageref-hold: take a page reference under the PTL and hold it for the whole wait_on_page_locked() sleep. Mirrors until 4.20 (__migration_entry_wait with get_page_unless_zero). */
import type { MigrationWaitVariant } from '../../types.js';

export const migrationWaitPagerefHold: MigrationWaitVariant = {
  name: 'pageref-hold',
  commit: 'until 4.20 (__migration_entry_wait with get_page_unless_zero)',
  summary: 'take a page reference under the PTL and hold it for the whole wait_on_page_locked() sleep',
  pageRef: 'hold',
  // __migration_entry_wait(): get_page_unless_zero() under the PTL, pte_unmap_unlock(),
  // wait_on_page_locked() holding the reference (a migrator's next pass that locks the folio
  // again keeps the waiter asleep), then put_page().
  *wait(w) {
    if (!w.tryGetRef()) {
      w.unlockPtl();
      return;
    }
    w.unlockPtl();
    yield* w.waitWhileLocked();
    w.putRef('migration_entry_wait put_page');
  },
};
