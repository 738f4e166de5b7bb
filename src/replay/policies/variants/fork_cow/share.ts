/** fork_cow=share: fork write-protects and shares every anonymous page. Mirrors before 70e806e4e645. */
import type { ForkCowVariant } from '../../types.js';

export const forkCowShare: ForkCowVariant = {
  name: 'share',
  commit: 'before 70e806e4e645',
  summary: 'fork write-protects and shares every anonymous page',
  copyAtFork: () => false,
};
