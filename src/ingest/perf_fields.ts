/**
 * Field access in tracepoint bodies as perf, ftrace and trace-cmd print them:
 * `address=0x7f.. ip=0x.. error_code=0x6`, `addr: 0x00000000, len: 0x00002000, ...` (perf,
 * trace-cmd), `addr: 0, len: 0x2000, ...` (ftrace, which drops the `0x` below 10 and, in older
 * kernels, everywhere). Values are parsed from the text as integers, never through floats.
 * Lines are parsed in place in the decoded chunk, so every function takes the line's `end`.
 */
import { BAD, TOO_BIG, parseDec } from './numbers.js';
import { MAX_VALUE } from './schema.js';

export { BAD, TOO_BIG };

const SP = 32, TAB = 9, COMMA = 44, LPAREN = 40, RPAREN = 41;

/**
 * Index just after `key` (e.g. `len: ` or `mm=`) in `text[from, end)`, where the key starts
 * the body or follows a space, comma or parenthesis (so `len: ` does not match inside
 * `max_len: `); -1 when absent.
 */
export function valueAt(text: string, from: number, end: number, key: string): number {
  let i = text.indexOf(key, from);
  while (i >= 0 && i + key.length <= end) {
    const before = i > from ? text.charCodeAt(i - 1) : SP;
    if (before === SP || before === TAB || before === COMMA || before === LPAREN) return i + key.length;
    i = text.indexOf(key, i + 1);
  }
  return -1;
}

/** End of the value starting at `i`: the next space, comma, closing parenthesis or `end`. */
export function valueEnd(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === SP || c === COMMA || c === RPAREN || c === TAB) break;
    i++;
  }
  return i;
}

const NOT_HEX = -1, VALUE_END = -2;
/** By char code below 128: the hex digit's value, VALUE_END for a separator, else NOT_HEX. */
const HEX_CLASS = new Int8Array(128).fill(NOT_HEX);
for (let c = 48; c <= 57; c++) HEX_CLASS[c] = c - 48;
for (let c = 97; c <= 102; c++) HEX_CLASS[c] = HEX_CLASS[c - 32] = c - 87;
for (const c of [SP, COMMA, RPAREN, TAB]) HEX_CLASS[c] = VALUE_END;

/**
 * Where the last `hexAt` stopped: when it returned a value or TOO_BIG, the end of that value
 * (what `valueEnd` gives), so a hot caller need not read the value twice.
 */
export let hexEnd = 0;

/**
 * A hexadecimal value at `i`, with or without `0x` (syscall arguments are always printed in
 * hex, with the prefix dropped by some printers). BAD when malformed, TOO_BIG at or above 2^53
 * (for syscall return values this is how a negative errno printed as `0xffff...` shows).
 */
export function hexAt(text: string, i: number, end: number): number {
  if (i < 0) return BAD;
  if (i + 2 < end && text.charCodeAt(i) === 48 && (text.charCodeAt(i + 1) | 32) === 120) i += 2;
  let v = 0, digits = 0;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    const d = c < 128 ? HEX_CLASS[c]! : NOT_HEX;
    if (d < 0) {
      if (d === VALUE_END) break;
      return BAD;
    }
    // exact: v < 2^53 and a multiply by 16 is exact; at or past 2^53 the value is only flagged
    if (v < MAX_VALUE) v = v * 16 + d;
    digits++;
  }
  hexEnd = i;
  if (digits === 0) return BAD;
  return v >= MAX_VALUE ? TOO_BIG : v;
}

/** A non-negative decimal value at `i`; BAD when malformed or negative. */
export function decAt(text: string, i: number, end: number): number {
  if (i < 0) return BAD;
  return parseDec(text, i, valueEnd(text, i, end));
}

/** True when the value at `i` is printed negative (`-12`). */
export function isNegativeAt(text: string, i: number, end: number): boolean {
  return i >= 0 && i < end && text.charCodeAt(i) === 45;
}

/** The value text at `i` (for interning pointers and for messages). */
export function textAt(text: string, i: number, end: number): string {
  return i < 0 ? '' : text.slice(i, valueEnd(text, i, end));
}

/** `true`/`false` at `i` (the mmap_lock `write=` and `success=` fields). */
export function boolAt(text: string, i: number): boolean {
  return i >= 0 && text.charCodeAt(i) === 116; /* t */
}
