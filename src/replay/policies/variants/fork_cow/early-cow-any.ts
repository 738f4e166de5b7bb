/** fork_cow=early-cow-any: copy every page whose refcount says maybe-pinned, pinned by this mm or not. Mirrors variant of 70e806e4e645 without the has_pinned filter. */
import type { ForkCowVariant } from '../../types.js';

export const forkCowEarlyCowAny: ForkCowVariant = {
  name: 'early-cow-any',
  commit: 'variant of 70e806e4e645 without the has_pinned filter',
  summary: 'copy every page whose refcount says maybe-pinned, pinned by this mm or not',
  copyAtFork: (_hasPinned, maybeDmaPinned) => maybeDmaPinned,
};
