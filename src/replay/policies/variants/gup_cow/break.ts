/** gup_cow=break: GUP breaks COW first, so the caller gets its own copy. Mirrors 17839856fd58 (5.8, CVE-2020-29374 fix; reverted by a308c71bf1e6 in 5.9). */
import type { GupCowVariant } from '../../types.js';

export const gupCowBreak: GupCowVariant = {
  name: 'break',
  commit: '17839856fd58 (5.8, CVE-2020-29374 fix; reverted by a308c71bf1e6 in 5.9)',
  summary: 'GUP breaks COW first, so the caller gets its own copy',
  breakCow: true,
  unshareReadOnlyPins: false,
};
