/** swapin=swapcache: every swap-in goes through the swap cache: one I/O per entry, racers wait on the folio lock. Mirrors before 0bcac06f27d7 (4.15). */
import type { SwapinVariant } from '../../types.js';
import { noBackoff } from './no_backoff.js';

export const swapinSwapcache: SwapinVariant = {
  name: 'swapcache',
  commit: 'before 0bcac06f27d7 (4.15)',
  summary: 'every swap-in goes through the swap cache: one I/O per entry, racers wait on the folio lock',
  skipSwapCache: false,
  prepare: 'none',
  // No swapcache_prepare() on the skip path: there are no losers, nobody to wake.
  backoff: noBackoff,
  cleared: () => undefined,
};
