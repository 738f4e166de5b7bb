import { describe, expect, it } from 'vitest';
import { modPow2 } from '../../src/util/math.js';

describe('modPow2', () => {
  it('equals % for integers up to 2^53 and powers of two', () => {
    const xs = [0, 1, 511, 512, 513, 4095, 4096, 4097, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 0x7f0000000000 + 4104 * 7, 2 ** 53 - 1];
    for (const m of [1, 2, 16, 512, 4096, 2 ** 32]) for (const x of xs) expect(modPow2(x, m)).toBe(x % m);
  });
});
