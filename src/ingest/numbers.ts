/**
 * Integer parsing from text, never through floating point (docs/design.md section 1): `1.5`, `0X1G`,
 * `-3` and values at or above 2^53 are errors. Hot path: char-code loops, no regexes.
 */
import { MAX_VALUE } from './schema.js';

/** Returned by the parsers on malformed text. */
export const BAD = -1;
/** Returned when the value is well-formed but at or above 2^53. */
export const TOO_BIG = -2;

/** Parse a non-negative decimal integer in `s[from, to)`; BAD or TOO_BIG on failure. */
export function parseDec(s: string, from = 0, to = s.length): number {
  if (to - from > 16) while (from < to - 1 && s.charCodeAt(from) === 48) from++;
  if (to <= from || to - from > 16) return to - from > 16 && allDigits(s, from, to) ? TOO_BIG : BAD;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return BAD;
    v = v * 10 + c;
  }
  return v >= MAX_VALUE ? TOO_BIG : v;
}

/** Parse `0x`-prefixed hex (lowercase `x` or uppercase `X`) in `s[from, to)`. */
export function parseHex(s: string, from = 0, to = s.length): number {
  if (to - from < 3 || s.charCodeAt(from) !== 48 || (s.charCodeAt(from + 1) | 32) !== 120) return BAD;
  return parseHexDigits(s, from + 2, to);
}

/** Parse bare hex digits (no prefix) in `s[from, to)`; leading zeros allowed. */
export function parseHexDigits(s: string, from = 0, to = s.length): number {
  if (to <= from) return BAD;
  while (from < to - 1 && s.charCodeAt(from) === 48) from++;
  if (to - from > 14) return allHex(s, from, to) ? TOO_BIG : BAD;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = hexDigit(s.charCodeAt(i));
    if (d < 0) return BAD;
    v = v * 16 + d;
  }
  return v >= MAX_VALUE ? TOO_BIG : v;
}

/** Hex (`0x...`) or decimal, as the contract allows for `addr`. */
export function parseAddr(s: string, from = 0, to = s.length): number {
  return to - from > 1 && s.charCodeAt(from) === 48 && (s.charCodeAt(from + 1) | 32) === 120
    ? parseHex(s, from, to)
    : parseDec(s, from, to);
}

/** Hex digit values by char code (-1: not a hex digit); a table beats branches in this hot loop. */
const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[65 + c] = HEX[97 + c] = 10 + c;

function hexDigit(c: number): number {
  return c < 128 ? HEX[c]! : -1;
}

function allDigits(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function allHex(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (hexDigit(s.charCodeAt(i)) < 0) return false;
  return true;
}
