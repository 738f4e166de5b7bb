/**
 * wp_reuse=mapcount (5.8 and before): do_wp_page() -> reuse_swap_page(): reuse when the page is
 * mapped once (page_mapcount + swap count <= 1), ignoring GUP references: the CVE-2020-29374
 * vmsplice leak, and what kept RDMA working once the child was gone.
 */
import type { WpReuseVariant } from '../../types.js';

export const wpReuseMapcount: WpReuseVariant = {
  name: 'mapcount',
  commit: 'before 09854ba94c6a (reuse_swap_page, 5.8 and before)',
  summary: 'reuse when mapcount (+ swap count in the swap cache) is 1, whatever other references exist',
  // reuse_swap_page(): count = mapcount; a swap-cache page adds the swap PTEs still using its slot.
  canReuse: (f) => f.mapcount + (f.inSwapCache ? f.swapCount : 0) === 1,
  tracksAnonExclusive: false,
};
