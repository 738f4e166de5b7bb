/** gup_cow=unshare: an R/O longterm pin of a possibly shared anonymous page unshares it first. Mirrors 5.19+ (FAULT_FLAG_UNSHARE, a7f226604170). */
import type { GupCowVariant } from '../../types.js';

export const gupCowUnshare: GupCowVariant = {
  name: 'unshare',
  commit: '5.19+ (FAULT_FLAG_UNSHARE, a7f226604170)',
  summary: 'an R/O longterm pin of a possibly shared anonymous page unshares it first',
  breakCow: false,
  unshareReadOnlyPins: true,
};
