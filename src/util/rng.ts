/**
 * The project's one seeded pseudo-random generator (docs/style.md point 11: randomness only through an
 * injected seeded generator; no `Math.random` in `src/`). Scenario generators and the replay
 * engine (device latencies, interrupts) both draw from it, so a seed reproduces a run exactly.
 *
 * Algorithm: sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator, 128-bit state, passes
 * PractRand to 2^40+ bytes), its state filled by splitmix32 from the seed and a stream number.
 * Everything is 32-bit integer arithmetic (`Math.imul`, `>>>`), so results are identical on every
 * platform. The floating-point helpers (`exponential`, `normal`, `lognormal`) use `Math.log`,
 * `Math.sqrt` and `Math.cos`, which V8 computes with its own fdlibm port: identical for a given
 * Node version on every CPU.
 */

const TWO_POW_21 = 2097152;
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
/** Standard normal quantile at 0.99, for `lognormalFromMedianP99`. */
const Z_99 = 2.3263478740408408;

/** One splitmix32 step: advance `state` by the golden gamma and return a well-mixed 32-bit word. */
function splitmix32(state: number): [next: number, out: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return [next, (z ^ (z >>> 15)) >>> 0];
}

/** Check that a seed or stream is an integer in [0, 2^53). */
function checkSeed(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= TWO_POW_53) {
    throw new RangeError(`Rng: ${what} must be an integer in [0, 2^53), got ${v}`);
  }
}

/**
 * A deterministic generator. Two instances built with the same `(seed, stream)` produce the same
 * sequence; different streams of one seed are independent for practical purposes, so a caller can
 * give each thread or device its own stream and keep one component's draws from shifting
 * another's when a parameter changes.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * @param seed an integer in [0, 2^53) (the CLI's `--seed`)
   * @param stream an integer in [0, 2^53) selecting an independent sequence of that seed
   */
  constructor(readonly seed: number, readonly stream = 0) {
    checkSeed('seed', seed);
    checkSeed('stream', stream);
    // Fold the four 32-bit halves of (seed, stream) through splitmix32 so that nearby seeds and
    // nearby streams land on unrelated states.
    let s = 0x6a09e667;
    const words = [seed >>> 0, Math.floor(seed / TWO_POW_32), stream >>> 0, Math.floor(stream / TWO_POW_32)];
    const state = [0, 0, 0, 0];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) {
        s = (s ^ words[i]!) | 0;
        const [next, out] = splitmix32(s);
        s = next;
        state[i] = (state[i]! ^ out) | 0;
      }
    }
    this.a = state[0]!;
    this.b = state[1]!;
    this.c = state[2]!;
    this.d = state[3]! | 1; // sfc32's counter word; any value works, odd avoids an all-zero state
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A new generator on `stream` of this generator's seed (does not consume this one's draws). */
  derive(stream: number): Rng {
    return new Rng(this.seed, stream);
  }

  /** The next uniformly distributed unsigned 32-bit integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.next() / TWO_POW_32;
  }

  /** A uniform float in [0, 1) with the full 53 bits of a double (two draws). */
  float53(): number {
    return ((this.next() >>> 5) * 67108864 + (this.next() >>> 6)) / TWO_POW_53;
  }

  /**
   * A uniform integer in [0, n), unbiased. `n` must be an integer in [1, 2^53); up to 2^32 this is
   * one draw plus rare rejections, above it a 53-bit float scaled (bias below 2^-20).
   */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n) || n >= TWO_POW_53) {
      throw new RangeError(`Rng.int: n must be an integer in [1, 2^53), got ${n}`);
    }
    if (n <= TWO_POW_21) {
      // Lemire's nearly divisionless method: the high 32 bits of u * n, rejecting the few draws
      // whose low bits fall below 2^32 mod n. u * n < 2^53, so the product is exact in a double;
      // the modulo runs only when the low part is below n (probability n / 2^32).
      // Division by 2^32 and its floor are exact, so hi and low are exact too.
      let m = this.next() * n;
      let hi = Math.floor(m / TWO_POW_32);
      let low = m - hi * TWO_POW_32;
      if (low < n) {
        const threshold = (TWO_POW_32 - n) % n;
        while (low < threshold) {
          m = this.next() * n;
          hi = Math.floor(m / TWO_POW_32);
          low = m - hi * TWO_POW_32;
        }
      }
      return hi;
    }
    if (n <= TWO_POW_32) {
      // Rejection sampling (as java.util.Random.nextInt): reject a draw that falls in the last,
      // partial block of n values. Exact in doubles: every term stays below 2^33.
      let u = this.next();
      let r = u % n;
      while (u - r + (n - 1) >= TWO_POW_32) {
        u = this.next();
        r = u % n;
      }
      return r;
    }
    return Math.floor(this.float53() * n);
  }

  /** A uniform integer in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo);
  }

  /** True with probability `p` (clamped to [0, 1]). */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: empty array');
    return items[this.int(items.length)]!;
  }

  /** Shuffle `items` in place (Fisher-Yates) and return it. */
  shuffle<A extends { [i: number]: unknown; length: number }>(items: A): A {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** An exponentially distributed float with the given mean (e.g. inter-arrival times). */
  exponential(mean: number): number {
    // 1 - float() lies in (0, 1], so the log is finite.
    return -mean * Math.log(1 - this.float());
  }

  /** A normally distributed float (Box-Muller; one of the pair, so each call is two draws). */
  normal(mean = 0, sd = 1): number {
    const u1 = 1 - this.float(); // (0, 1]
    const u2 = this.float();
    return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** `exp(N(mu, sigma))`: a log-normal float, the usual shape of device and lock latencies. */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /**
   * A log-normal float with the given median and 99th percentile, the way latency figures are
   * published (e.g. zram lz4 read: median 1.7 us, p99 3.6 us). Requires `p99 >= median > 0`.
   */
  lognormalFromMedianP99(median: number, p99: number): number {
    if (!(median > 0) || !(p99 >= median)) {
      throw new RangeError(`Rng.lognormalFromMedianP99: need p99 >= median > 0, got ${median}, ${p99}`);
    }
    return this.lognormal(Math.log(median), Math.log(p99 / median) / Z_99);
  }
}
