/**
 * page_fault_user lines of `perf script`, raw ftrace and `trace-cmd report` text parsed straight
 * from their bytes, for all-ASCII
 * pieces (trace_worker.ts): no decoding to a string, and a byte read costs about half a
 * `charCodeAt`. This is a fast path, not a second reader: it takes a line only when it is sure
 * the text reader would read it as the same page fault (the same first `:` as the header's
 * colon, the exact event name, a well-formed `address=` first and an error code), and gives up
 * on anything else, which the reader then reads as text. So it may be strict where the reader is
 * lenient, never the other way round (test/ingest/fault_bytes.test.ts checks it against
 * parseHeader / scanEventName / parseFault on generated lines).
 *
 * Pieces end with a newline, which every forward scan here stops at, so no scan needs a bound.
 */
import { MAX_VALUE } from './schema.js';

const NL = 10, CR = 13, SP = 32, TAB = 9, COLON = 58, DOT = 46, SLASH = 47, DASH = 45;
const LBRACKET = 91, RBRACKET = 93, LPAREN = 40, RPAREN = 41;

/** A page fault read from bytes: the header and body values the text reader would have found. */
export interface ByteFault {
  tid: number;
  pid: number;
  secs: number;
  fracNs: number;
  addr: number;
  /** The x86 error code (the caller maps it to an op). */
  code: number;
  /** Index of the line's `\n`. */
  nl: number;
}

const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
/** The event token and its delimiter as perf and ftrace print them, with the space that ends the token. */
const PERF_NAME = bytesOf('exceptions:page_fault_user: ');
const FTRACE_NAME = bytesOf('page_fault_user: ');
const ADDRESS = bytesOf('address=');
const IP = bytesOf(' ip=');
const ERROR_CODE = bytesOf(' error_code=');

/** `0x` (or `0X`) at `b[i]`. */
const is0x = (b: Uint8Array, i: number): boolean => b[i] === 48 && (b[i + 1]! | 32) === 120;

/** Byte classes: a hex digit's value, or one of these. */
const OTHER = -1, SEPARATOR = -2, LINE_END = -3;
const CLASS = new Int8Array(256).fill(OTHER);
for (let c = 48; c <= 57; c++) CLASS[c] = c - 48;
for (let c = 97; c <= 102; c++) CLASS[c] = CLASS[c - 32] = c - 87;
for (const c of [SP, 44 /* , */, 41 /* ) */, TAB]) CLASS[c] = SEPARATOR;
CLASS[NL] = LINE_END;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Powers of ten scaling a fraction of `n` digits to ns (as parseHeader's). */
const SCALE = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1];
const isBlank = (c: number): boolean => c === SP || c === TAB;

/** Where `hex` stopped (the value's end), as hexAt's hexEnd. */
let stop = 0;

/**
 * Hex value (optional `0x`) at `i` ending at a separator or the line's end, as hexAt reads it; -1
 * when hexAt would not give a value below 2^53 there.
 */
function hex(b: Uint8Array, i: number): number {
  // hexAt skips `0x` only when a character follows it on the line; when none does, it fails either way
  if (b[i] === 48 && (b[i + 1]! | 32) === 120) i += 2;
  const from = i;
  let v = 0;
  let d = CLASS[b[i]!]!;
  while (d >= 0) {
    if (v < MAX_VALUE) v = v * 16 + d;
    d = CLASS[b[++i]!]!;
  }
  // a CR ends the value only as the line's last character (hexAt's `end` is before the CR of a CRLF)
  if (d === OTHER && !(b[i] === CR && b[i + 1] === NL)) return -1;
  stop = i;
  return i === from || v >= MAX_VALUE ? -1 : v;
}

/** `pattern` at `b[i...]` (it holds no newline, so a match is within the line). */
function matches(b: Uint8Array, i: number, pattern: Uint8Array): boolean {
  for (let k = 0; k < pattern.length; k++) if (b[i + k] !== pattern[k]) return false;
  return true;
}

/**
 * The header left of the colon at `c`, as parseHeader reads it for its first colon candidate:
 * `SECS.FRAC` right before it, then the task fields of `style`, from the line start `s`.
 */
function header(b: Uint8Array, s: number, c: number, ftrace: boolean, out: ByteFault): boolean {
  // SECS.FRAC: at most 15 and 9 digits, one blank (or the line start) before it
  let i = c - 1, scale = 1, frac = 0;
  for (; i >= s && isDigit(b[i]!); i--, scale *= 10) frac += (b[i]! - 48) * scale;
  const fracDigits = c - 1 - i;
  if (fracDigits === 0 || fracDigits > 9 || i <= s || b[i] !== DOT) return false;
  let secs = 0;
  for (i--, scale = 1; i >= s && isDigit(b[i]!); i--, scale *= 10) secs += (b[i]! - 48) * scale;
  const secsDigits = c - 2 - fracDigits - i;
  if (secsDigits === 0 || secsDigits > 15 || (i >= s && !isBlank(b[i]!))) return false;
  out.secs = secs;
  out.fracNs = frac * SCALE[fracDigits]!;
  out.pid = -1;
  return ftrace ? ftraceTask(b, s, blanksBack(b, s, i), out) : perfTask(b, s, blanksBack(b, s, i), out);
}

/** perf: `[PID/]TID` and maybe ` [CPU]` ending at `i`, then a blank or the line start. */
function perfTask(b: Uint8Array, s: number, i: number, out: ByteFault): boolean {
  if (i >= s && b[i] === RBRACKET) i = cpuBack(b, s, i);
  const tid = digitsBack(b, s, i);
  if (tid < 0) return false;
  out.tid = tid;
  i = stop;
  if (i >= s && b[i] === SLASH) {
    const pid = digitsBack(b, s, i - 1);
    if (pid < 0) return false;
    out.pid = pid;
    i = stop;
  }
  return i < s || isBlank(b[i]!);
}

/** ftrace: `COMM-TID`, maybe `(TGID)`, then `[CPU]` and maybe one FLAGS token, ending at `i`. */
function ftraceTask(b: Uint8Array, s: number, i: number, out: ByteFault): boolean {
  if (i >= s && b[i] !== RBRACKET) {
    while (i >= s && !isBlank(b[i]!)) i--; // latency flags such as `d..1.`
    i = blanksBack(b, s, i);
  }
  if (i < s || b[i] !== RBRACKET) return false;
  i = cpuBack(b, s, i);
  if (i >= s && b[i] === RPAREN) {
    // `(  1234)`, or `(-------)` when the tgid is unknown (then no pid)
    const close = i;
    while (i >= s && b[i] !== LPAREN) i--;
    if (i < s) return false;
    let d = i + 1;
    while (d < close && b[d] === SP) d++;
    let pid = 0;
    for (let k = d; k < close && pid >= 0; k++) pid = isDigit(b[k]!) ? pid * 10 + b[k]! - 48 : -1;
    if (pid >= 0 && close > d && close - d <= 10) out.pid = pid;
    i = blanksBack(b, s, i - 1);
  }
  const tid = digitsBack(b, s, i);
  out.tid = tid;
  return tid >= 0 && stop >= s && b[stop] === DASH && !(stop - 1 >= s && b[stop - 1] === SLASH);
}

/** The last non-blank index at or before `i`, or s - 1. */
function blanksBack(b: Uint8Array, s: number, i: number): number {
  while (i >= s && isBlank(b[i]!)) i--;
  return i;
}

/** `[DIGITS]` ending at `close` (inclusive): the last non-blank index before it; s - 2 (fails every check) when malformed. */
function cpuBack(b: Uint8Array, s: number, close: number): number {
  let i = close - 1;
  while (i >= s && isDigit(b[i]!)) i--;
  return i < s || i === close - 1 || b[i] !== LBRACKET ? s - 2 : blanksBack(b, s, i - 1);
}

/** 1 to 10 decimal digits ending at `last`, read backwards to the line start `s`; -1 if none. `stop`: the index before them. */
function digitsBack(b: Uint8Array, s: number, last: number): number {
  let i = last, v = 0, scale = 1;
  for (; i >= s && isDigit(b[i]!); i--, scale *= 10) v += (b[i]! - 48) * scale;
  stop = i;
  return i === last || last - i > 10 ? -1 : v;
}

/**
 * The line starting at `s`, when it is a page fault (perf script, or ftrace / trace-cmd text
 * when `ftrace`) the reader would turn into a row: true with `out` filled. Otherwise false,
 * with `out.nl` the line's `\n` all the same.
 */
export function faultLine(b: Uint8Array, s: number, ftrace: boolean, out: ByteFault): boolean {
  let c = s;
  for (let ch = b[c]; ch !== COLON && ch !== NL; ch = b[++c]);
  if (b[c] === COLON && isBlank(b[c + 1]!) && c > s && isDigit(b[c - 1]!) && header(b, s, c, ftrace, out)) {
    let i = c + 2;
    while (isBlank(b[i]!)) i++;
    // perf prints a sample period before some event names (scanEventName skips it)
    if (!ftrace && isDigit(b[i]!)) {
      let k = i;
      while (isDigit(b[k]!)) k++;
      if (b[k] === SP) {
        while (b[k] === SP) k++;
        i = k;
      }
    }
    const name = ftrace ? FTRACE_NAME : PERF_NAME;
    if (matches(b, i, name)) {
      i += name.length;
      while (isBlank(b[i]!)) i++;
      // parseFault's layout: `address=0xHEX ip=TOKEN error_code=0xHEX` and the line's end
      if (matches(b, i, ADDRESS) && is0x(b, i + ADDRESS.length)) {
        out.addr = hex(b, i + ADDRESS.length);
        if (out.addr >= 0 && matches(b, stop, IP)) {
          let k = stop + IP.length;
          while (b[k] !== SP && b[k] !== TAB && b[k] !== NL && b[k] !== CR) k++;
          if (matches(b, k, ERROR_CODE) && is0x(b, k + ERROR_CODE.length)) {
            out.code = hex(b, k + ERROR_CODE.length);
            if (out.code >= 0 && (b[stop] === NL || (b[stop] === CR && b[stop + 1] === NL))) {
              out.nl = lineEnd(b, stop);
              return true;
            }
          }
        }
      }
    }
  }
  out.nl = lineEnd(b, c);
  return false;
}

/** Index of the `\n` ending the line that holds `i`. */
function lineEnd(b: Uint8Array, i: number): number {
  while (b[i] !== NL) i++;
  return i;
}
