/** swapin=skip-prepare-wq: as skip-prepare-tick, but losers sleep on swapcache_wq, woken by swapcache_clear(). Mirrors 01626a1823 (6.12; lore 20240926211936.75373-1-21cnbao@gmail.com). */
import type { SwapinVariant } from '../../types.js';

export const swapinSkipPrepareWq: SwapinVariant = {
  name: 'skip-prepare-wq',
  commit: '01626a1823 (6.12; lore 20240926211936.75373-1-21cnbao@gmail.com)',
  summary: 'as skip-prepare-tick, but losers sleep on swapcache_wq, woken by swapcache_clear()',
  skipSwapCache: true,
  prepare: 'wq',
  // Losers sleep on swapcache_wq (with the one-tick timeout); swapcache_clear() wakes them.
  backoff: (b) => b.sleepOnSwapcacheWq(),
  cleared: (b) => b.wakeSwapcacheWq(),
};
