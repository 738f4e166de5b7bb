/** SwapinVariant.backoff of variants without swapcache_prepare() on the skip path: never called (do_swap_page.ts only backs off a loser of it). */
import type { Path } from '../../../engine/task.js';
import { InvariantError } from '../../../../util/errors.js';

export function noBackoff(): Path<void> {
  throw new InvariantError('a swapcache_prepare() backoff under a swapin variant without swapcache_prepare()', 'swapin');
}
