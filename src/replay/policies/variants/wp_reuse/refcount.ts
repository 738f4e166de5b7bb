/**
 * wp_reuse=refcount (5.9, 09854ba94c6a "mm: do_wp_page() simplification"): copy unless the page
 * count is 1 (the swap cache's reference discounted, as try_to_free_swap() would drop it); any
 * GUP reference forces a copy, which broke RDMA (lore 20200914143829.GA1424636@nvidia.com).
 */
import type { WpReuseVariant } from '../../types.js';

export const wpReuseRefcount: WpReuseVariant = {
  name: 'refcount',
  commit: '09854ba94c6a (5.9)',
  summary: 'reuse only when page_count is 1 (+1 for the swap cache)',
  canReuse: (f) => f.refcount === 1 + (f.inSwapCache ? 1 : 0),
  tracksAnonExclusive: false,
};
