/** migration_wait=ptl: no reference: enqueue on the folio waitqueue under the PTL, drop the PTL, sleep. Mirrors ffa65753c431 (5.17+, lore 20211118020754.954425-1-apopple@nvidia.com). */
import type { MigrationWaitVariant } from '../../types.js';

export const migrationWaitPtl: MigrationWaitVariant = {
  name: 'ptl',
  commit: 'ffa65753c431 (5.17+, lore 20211118020754.954425-1-apopple@nvidia.com)',
  summary: 'no reference: enqueue on the folio waitqueue under the PTL, drop the PTL, sleep',
  pageRef: 'none',
  // migration_entry_wait_on_locked(): no reference; join the folio's wait queue while holding
  // the PTL, drop the PTL, sleep until woken.
  *wait(w) {
    w.enqueue();
    w.unlockPtl();
    yield* w.sleepQueued();
  },
};
