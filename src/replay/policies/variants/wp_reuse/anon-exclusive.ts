/**
 * wp_reuse=anon-exclusive (5.19+, 6c287605fd56 PageAnonExclusive; fork side fb3d824d1a46): reuse
 * when the page is marked exclusive to this mm; otherwise wp_can_reuse_anon_folio() reuses only
 * when nothing else holds a reference (the swap cache's dropped by folio_free_swap(), which fails
 * while swap PTEs still use the slot), and marks it exclusive again.
 */
import type { WpReuseVariant } from '../../types.js';

export const wpReuseAnonExclusive: WpReuseVariant = {
  name: 'anon-exclusive',
  commit: '6c287605fd56 (5.19+)',
  summary: 'reuse when PageAnonExclusive, or when the refcount says nobody else holds it',
  canReuse: (f) => f.anonExclusive || (f.refcount === 1 + (f.inSwapCache ? 1 : 0) && f.swapCount === 0),
  tracksAnonExclusive: true,
};
