/** swapin=skip-prepare-tick: swapcache_prepare() as a lock on the skip path; losers sleep one tick holding the fault lock. Mirrors 13ddaf26be32 (6.8; lore 20240219082040.7495-1-ryncsn@gmail.com). */
import type { SwapinVariant } from '../../types.js';

export const swapinSkipPrepareTick: SwapinVariant = {
  name: 'skip-prepare-tick',
  commit: '13ddaf26be32 (6.8; lore 20240219082040.7495-1-ryncsn@gmail.com)',
  summary: 'swapcache_prepare() as a lock on the skip path; losers sleep one tick holding the fault lock',
  skipSwapCache: true,
  prepare: 'tick',
  // "relax a bit to prevent rapid repeated page faults": one jiffy, holding the fault lock.
  backoff: (b) => b.sleepTick(),
  cleared: () => undefined,
};
