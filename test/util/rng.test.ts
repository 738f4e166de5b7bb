import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';

function draws(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.next());
}

describe('Rng determinism', () => {
  it('repeats the same sequence for the same seed and stream', () => {
    expect(draws(new Rng(42), 100)).toEqual(draws(new Rng(42), 100));
    expect(draws(new Rng(42, 7), 100)).toEqual(draws(new Rng(42, 7), 100));
  });

  it('pins the first outputs of seed 1 (a change of algorithm must be deliberate)', () => {
    const first = draws(new Rng(1), 4);
    // Regenerate with care: every synthetic trace and replay seed depends on these.
    expect(first).toMatchInlineSnapshot(`
      [
        2544428209,
        419717476,
        3046304569,
        3659553810,
      ]
    `);
  });

  it('gives different sequences for nearby seeds and streams', () => {
    const seqs = [new Rng(1), new Rng(2), new Rng(1, 1), new Rng(2 ** 32 + 1), new Rng(0)].map((r) => draws(r, 8).join(','));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('derive() is a pure function of (seed, stream) and does not consume draws', () => {
    const a = new Rng(9);
    const b = new Rng(9);
    const d1 = a.derive(3);
    expect(draws(a, 5)).toEqual(draws(b, 5));
    expect(draws(d1, 5)).toEqual(draws(new Rng(9, 3), 5));
  });

  it('rejects seeds that are not integers in [0, 2^53)', () => {
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN]) expect(() => new Rng(bad)).toThrow(RangeError);
  });
});

describe('Rng distributions (rough sanity)', () => {
  const N = 100_000;

  it('next() returns uint32 and float() lies in [0, 1) with mean ~0.5', () => {
    const rng = new Rng(3);
    let sum = 0;
    let bad = 0;
    for (let i = 0; i < N; i++) {
      const u = rng.next();
      if (!Number.isInteger(u) || u < 0 || u >= 2 ** 32) bad++;
      const f = rng.float();
      if (!(f >= 0 && f < 1)) bad++;
      sum += f;
    }
    expect(bad).toBe(0);
    expect(Math.abs(sum / N - 0.5)).toBeLessThan(0.01);
  });

  it('int(n) covers [0, n) evenly (chi-square, 10 buckets)', () => {
    const rng = new Rng(4);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < N; i++) counts[rng.int(10)]!++;
    const expected = N / 10;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: p = 0.001 at 27.9.
    expect(chi2).toBeLessThan(27.9);
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });

  it('int(n) handles n = 1, n = 2^32 and n above 2^32', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 1000; i++) {
      expect(rng.int(1)).toBe(0);
      const a = rng.int(2 ** 32);
      expect(a >= 0 && a < 2 ** 32).toBe(true);
      const b = rng.int(2 ** 40);
      expect(Number.isInteger(b) && b >= 0 && b < 2 ** 40).toBe(true);
    }
    expect(() => rng.int(0)).toThrow(RangeError);
    expect(() => rng.int(2.5)).toThrow(RangeError);
  });

  it('range, chance, pick and shuffle behave', () => {
    const rng = new Rng(6);
    for (let i = 0; i < 1000; i++) {
      const r = rng.range(10, 13);
      expect(r >= 10 && r < 13).toBe(true);
    }
    let hits = 0;
    for (let i = 0; i < N; i++) if (rng.chance(0.25)) hits++;
    expect(Math.abs(hits / N - 0.25)).toBeLessThan(0.01);
    const items = ['a', 'b', 'c'];
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add(rng.pick(items));
    expect([...seen].sort()).toEqual(items);
    const arr = Int32Array.from({ length: 50 }, (_, i) => i);
    rng.shuffle(arr);
    expect([...arr].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...arr]).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('exponential(mean) has that mean', () => {
    const rng = new Rng(7);
    let sum = 0;
    let min = Infinity;
    for (let i = 0; i < N; i++) {
      const x = rng.exponential(200);
      min = Math.min(min, x);
      sum += x;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(Math.abs(sum / N - 200)).toBeLessThan(200 * 0.02);
  });

  it('normal and lognormal have the expected median and spread', () => {
    const rng = new Rng(8);
    const xs = Array.from({ length: N }, () => rng.normal(10, 2)).sort((a, b) => a - b);
    expect(Math.abs(xs[N / 2]! - 10)).toBeLessThan(0.05);
    expect(Math.abs(xs[Math.floor(N * 0.8413)]! - 12)).toBeLessThan(0.1);
    const ls = Array.from({ length: N }, () => rng.lognormalFromMedianP99(1.7, 3.6)).sort((a, b) => a - b);
    expect(Math.abs(ls[N / 2]! - 1.7)).toBeLessThan(0.03);
    expect(Math.abs(ls[Math.floor(N * 0.99)]! - 3.6)).toBeLessThan(0.15);
    expect(ls[0]!).toBeGreaterThan(0);
  });
});
