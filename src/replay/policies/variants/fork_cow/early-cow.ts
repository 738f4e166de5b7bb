/** fork_cow=early-cow: copy_present_page() copies a maybe-pinned page for the child when the mm has_pinned. Mirrors 70e806e4e645 (5.9; lore 20200925222600.6832-4-peterx@redhat.com). */
import type { ForkCowVariant } from '../../types.js';

export const forkCowEarlyCow: ForkCowVariant = {
  name: 'early-cow',
  commit: '70e806e4e645 (5.9; lore 20200925222600.6832-4-peterx@redhat.com)',
  summary: 'copy_present_page() copies a maybe-pinned page for the child when the mm has_pinned',
  copyAtFork: (hasPinned, maybeDmaPinned) => hasPinned && maybeDmaPinned,
};
