/**
 * Arrival times the clock cannot hold exactly (issue 20, defect 11): cycles are integers in
 * doubles, so a trace shifted far enough in time changed its results (fault_max 6741 -> 3463 ns
 * at +9e15 ns). Such a trace is an input error naming the row; a trace just inside the limit
 * replays exactly as the unshifted one, shifted.
 */
import { describe, expect, it } from 'vitest';
import { BASE, PAGE, run, type Row } from './harness.js';
import { MAX_ARRIVAL_CYCLES } from '../../src/replay/replay.js';
import { InputError } from '../../src/util/errors.js';

const rows = (shift: number): Row[] => [
  [shift, 1, 1, 'mmap', BASE, 16 * PAGE, 0],
  [shift + 1000, 1, 1, 'write', BASE, 8, 0],
  [shift + 2000, 1, 1, 'read', BASE + PAGE, 8, 0],
];

describe('arrival times past what the clock holds', () => {
  it('a trace shifted by 9e15 ns is rejected, naming the row and the limit', () => {
    let err: unknown;
    try {
      run(rows(9e15));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const issue = (err as InputError).issues[0]!;
    expect(issue.code).toBe('ts-too-large');
    expect(issue.row).toBe(0);
    expect(issue.expected).toMatch(/at most 1501199875790165 ns at --cpu-ghz 3/);
  });

  it('the limit depends on --cpu-ghz, and a trace at the limit still replays', () => {
    const atLimit = Math.floor(MAX_ARRIVAL_CYCLES / 3) - 3000;
    const [r] = run(rows(atLimit));
    expect(r!.summary.faults).toBe(2);
    expect(() => run(rows(atLimit), ['linux-6.12'], { cpuGhz: 4 })).toThrow(/ts-too-large|at most/);
  });
});
