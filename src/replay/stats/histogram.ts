/**
 * A log-linear histogram (HDR style) over non-negative integers, for latency, wait and hold
 * times. Values below 2^SUB_BITS are exact; above, each power of two is split into 2^SUB_BITS
 * buckets, so a reported percentile is within 1/2^SUB_BITS = 1.6% of the true value (we report
 * the bucket's upper bound clamped to the exact max). Memory is fixed, whatever the event count.
 */
const SUB_BITS = 6;
const SUB = 1 << SUB_BITS;
/** Buckets: exact values below SUB, then SUB per power of two up to 2^53. */
const NBUCKETS = SUB + (53 - SUB_BITS) * SUB;

/** Relative error bound of reported percentiles. */
export const HISTOGRAM_RELATIVE_ERROR = 1 / SUB;

function bucketOf(v: number): number {
  if (v < SUB) return v;
  if (v < 4294967296) {
    const exp32 = 31 - Math.clz32(v);
    return SUB + (exp32 - SUB_BITS) * SUB + ((v >>> (exp32 - SUB_BITS)) - SUB);
  }
  const e = Math.floor(Math.log2(v));
  // Guard against log2 rounding at exact powers of two.
  const exp = 2 ** e > v ? e - 1 : 2 ** (e + 1) <= v ? e + 1 : e;
  const sub = Math.floor(v / 2 ** (exp - SUB_BITS)) - SUB;
  return SUB + (exp - SUB_BITS) * SUB + sub;
}

function upperOf(b: number): number {
  if (b < SUB) return b;
  const exp = Math.floor((b - SUB) / SUB) + SUB_BITS;
  const sub = (b - SUB) % SUB;
  return (SUB + sub + 1) * 2 ** (exp - SUB_BITS) - 1;
}

export class Histogram {
  private counts: Float64Array | null = null;
  count = 0;
  sum = 0;
  min = Infinity;
  max = 0;

  record(value: number): void {
    const v = Math.round(value);
    const c = (this.counts ??= new Float64Array(NBUCKETS));
    c[bucketOf(v)]!++;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** Record `n` occurrences of one value (bulk form of `record`). */
  recordMany(value: number, n: number): void {
    if (n <= 0) return;
    const v = Math.round(value);
    const c = (this.counts ??= new Float64Array(NBUCKETS));
    c[bucketOf(v)]! += n;
    this.count += n;
    this.sum += v * n;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** The q-quantile (0..1): upper bound of the bucket holding it, clamped to [min, max]. */
  quantile(q: number): number {
    if (this.count === 0 || this.counts === null) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let b = 0; b < NBUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, upperOf(b)));
    }
    return this.max;
  }

  merge(other: Histogram): void {
    if (other.count === 0 || other.counts === null) return;
    const c = (this.counts ??= new Float64Array(NBUCKETS));
    for (let b = 0; b < NBUCKETS; b++) c[b]! += other.counts[b]!;
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }
}
