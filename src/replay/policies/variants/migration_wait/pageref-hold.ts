/** migration_wait=pageref-hold: take a page reference under the PTL and hold it for the whole wait_on_page_locked() sleep. Mirrors until 4.20 (__migration_entry_wait with get_page_unless_zero). */
import type { MigrationWaitVariant } from '../../types.js';

export const migrationWaitPagerefHold: MigrationWaitVariant = {
  name: 'pageref-hold',
  commit: 'until 4.20 (__migration_entry_wait with get_page_unless_zero)',
  summary: 'take a page reference under the PTL and hold it for the whole wait_on_page_locked() sleep',
  pageRef: 'hold',
};
