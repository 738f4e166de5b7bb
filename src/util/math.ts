/**
 * `x % m` for an integer 0 <= x < 2^53 and `m` a power of two, without `%`. Virtual addresses
 * and page numbers are past 2^31, where V8 computes `%` by calling fmod: measured here at 17 ns
 * against 4 ns for this, and the hit path took three or four per access. Exact for these
 * arguments: dividing by a power of two is exact in binary floating point.
 */
export function modPow2(x: number, m: number): number {
  return x - Math.floor(x / m) * m;
}
