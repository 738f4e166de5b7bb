/** swapin=skip: synchronous device, swap count 1: read into a private folio, pte_same(), map; racers may read twice (ABA). Mirrors 0bcac06f27d7 (4.15 to 6.7). */
import type { SwapinVariant } from '../../types.js';
import { noBackoff } from './no_backoff.js';

export const swapinSkip: SwapinVariant = {
  name: 'skip',
  commit: '0bcac06f27d7 (4.15 to 6.7)',
  summary: 'synchronous device, swap count 1: read into a private folio, pte_same(), map; racers may read twice (ABA)',
  skipSwapCache: true,
  prepare: 'none',
  // No swapcache_prepare() on the skip path: there are no losers, nobody to wake.
  backoff: noBackoff,
  cleared: () => undefined,
};
