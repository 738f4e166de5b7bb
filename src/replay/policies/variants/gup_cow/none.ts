/** gup_cow=none: GUP takes references on COW-shared pages as they are. Mirrors before 17839856fd58, and 5.9-5.18. */
import type { GupCowVariant } from '../../types.js';

export const gupCowNone: GupCowVariant = {
  name: 'none',
  commit: 'before 17839856fd58, and 5.9-5.18',
  summary: 'GUP takes references on COW-shared pages as they are',
  breakCow: false,
  unshareReadOnlyPins: false,
};
