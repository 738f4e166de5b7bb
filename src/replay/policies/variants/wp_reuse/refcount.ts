/**
 * wp_reuse=refcount (5.9, 09854ba94c6a "mm: do_wp_page() simplification"): copy unless the page
 * count is exactly 1 (`PageKsm(page) || page_count(page) != 1`); any GUP reference forces a copy,
 * which broke RDMA (lore 20200914143829.GA1424636@nvidia.com). A page in the swap cache holds the
 * cache's reference too and is always copied: dropping it first (try_to_free_swap) came with
 * 53a05ad9f21d ("mm: optimize do_wp_page() for exclusive pages in the swapcache", 5.18).
 */
import type { WpReuseVariant } from '../../types.js';

export const wpReuseRefcount: WpReuseVariant = {
  name: 'refcount',
  commit: '09854ba94c6a (5.9)',
  summary: 'reuse only when page_count is 1 (a swap-cache page is always copied)',
  canReuse: (f) => f.refcount === 1,
  tracksAnonExclusive: false,
};
