/**
 * bench/lib/best.ts: the fastest of N runs is the measurement, peak RSS the largest seen, and a
 * failed run is reported rather than hidden behind a faster one.
 */
import { describe, expect, it } from 'vitest';
import { bestOf } from '../../bench/lib/best.js';

describe('bestOf', () => {
  it('keeps the fastest run with the largest peak RSS, running the measurement N times', () => {
    const runs = [
      { seconds: 3, maxRssMiB: 10, tag: 'a' },
      { seconds: 1, maxRssMiB: 20, tag: 'b' },
      { seconds: 2, maxRssMiB: 30, tag: 'c' },
    ];
    let i = 0;
    expect(bestOf(3, () => runs[i++]!)).toEqual({ seconds: 1, maxRssMiB: 30, tag: 'b' });
    expect(i).toBe(3);
  });

  it('returns a failed run instead of the others', () => {
    const runs = [{ seconds: 1, maxRssMiB: 5 }, { error: 'child failed: boom' }];
    let i = 0;
    expect(bestOf(2, () => runs[i++]!)).toEqual({ error: 'child failed: boom' });
  });
});
