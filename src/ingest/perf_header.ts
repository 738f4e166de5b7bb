/**
 * The line header shared by `perf script`, raw ftrace and `trace-cmd report` text: who ran the
 * event (tid, maybe pid), when, and where the event name starts. Char scans only, no regexes:
 * this runs once per line on the hot path.
 *
 * ```
 * perf:      COMM  TID [CPU] SECS.FRAC: EVENT: BODY          COMM  PID/TID  SECS.FRAC: ...
 * ftrace:    COMM-TID  (TGID) [CPU] FLAGS  SECS.FRAC: EVENT: BODY      ((TGID) and FLAGS optional)
 * ```
 * COMM may contain spaces, dashes and colons, so the header is found from the timestamp: the
 * first `DIGITS.DIGITS:` token followed by a space or the end of the line whose left side walks
 * back to a valid tid field. The comm itself is never needed.
 */

/** Header style: perf prints `COMM TID` or `COMM PID/TID`; ftrace prints `COMM-TID`. */
export type HeaderStyle = 'perf' | 'ftrace';

/** One parsed header; reused between lines (no allocation per line). */
export interface LineHeader {
  tid: number;
  /** Process id when the line prints it (perf `PID/TID`, ftrace `(TGID)`), else -1. */
  pid: number;
  /** Whole seconds of the timestamp, and its fraction in ns (up to 9 digits). */
  secs: number;
  fracNs: number;
  /** Index of the first character after `SECS.FRAC:` and the spaces following it. */
  rest: number;
}

const SP = 32, COLON = 58, DOT = 46, SLASH = 47, DASH = 45, LBRACKET = 91, RBRACKET = 93, LPAREN = 40, RPAREN = 41, TAB = 9;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Powers of ten for scaling a fraction of `n` digits to ns. */
const SCALE = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1];

/**
 * Parse the header of the line `text[start, end)` into `out`; false when the line has no
 * header of this style (a comment, a callchain line, or another format). Lines are parsed in
 * place in the decoded chunk: no per-line substring (see perf_lines.ts).
 */
export function parseHeader(text: string, start: number, end: number, style: HeaderStyle, out: LineHeader): boolean {
  let c = text.indexOf(':', start);
  while (c > start && c < end) {
    const next = c + 1 < end ? text.charCodeAt(c + 1) : SP;
    if ((next === SP || next === TAB) && isDigit(text.charCodeAt(c - 1)) && timestampAt(text, start, c, out)) {
      const left = out.rest; // timestampAt left the token's start here
      const ok = style === 'perf' ? perfTask(text, start, left, out) : ftraceTask(text, start, left, out);
      if (ok) {
        let r = c + 1;
        while (r < end) {
          const ch = text.charCodeAt(r);
          if (ch !== SP && ch !== TAB) break;
          r++;
        }
        out.rest = r;
        return true;
      }
    }
    c = text.indexOf(':', c + 1);
  }
  return false;
}

/** `DIGITS.DIGITS` ending just before `colon`; sets secs, fracNs, and rest = token start. */
function timestampAt(text: string, start: number, colon: number, out: LineHeader): boolean {
  let i = colon - 1;
  let frac = 0, scale = 1, digits = 0;
  // each character is read once: charCodeAt is most of this function's cost
  let ch = i >= start ? text.charCodeAt(i) : -1;
  while (ch >= 48 && ch <= 57) {
    frac += (ch - 48) * scale;
    scale *= 10;
    digits++;
    i--;
    ch = i >= start ? text.charCodeAt(i) : -1;
  }
  if (i <= start || ch !== DOT || digits > 9) return false;
  const dot = i;
  i--;
  let secs = 0;
  scale = 1;
  ch = i >= start ? text.charCodeAt(i) : -1;
  while (ch >= 48 && ch <= 57) {
    secs += (ch - 48) * scale;
    scale *= 10;
    i--;
    ch = i >= start ? text.charCodeAt(i) : -1;
  }
  const first = i + 1;
  if (first === dot || dot - first > 15) return false;
  if (i >= start && ch !== SP && ch !== TAB) return false;
  out.secs = secs;
  out.fracNs = frac * SCALE[digits]!;
  out.rest = first;
  return true;
}

/** Index of the last non-blank character before `i` (exclusive), or start - 1. */
function skipBlanksBack(text: string, start: number, i: number): number {
  i--;
  while (i >= start) {
    const ch = text.charCodeAt(i);
    if (ch !== SP && ch !== TAB) break;
    i--;
  }
  return i;
}

/** Skip a `[CPU]` ending at `i` (inclusive) backwards; returns the index before `[`, or -2. */
function skipCpuBack(text: string, start: number, i: number): number {
  let k = i - 1;
  while (k >= start && isDigit(text.charCodeAt(k))) k--;
  return k >= start && k < i - 1 && text.charCodeAt(k) === LBRACKET ? k - 1 : -2;
}

/** Decimal digits in `[from, to]` (inclusive) as a number; -1 when empty or too long. */
function digitsValue(text: string, from: number, to: number): number {
  if (to < from || to - from > 9) return -1;
  let v = 0;
  for (let k = from; k <= to; k++) v = v * 10 + (text.charCodeAt(k) - 48);
  return v;
}

/** perf: `... TID [CPU] ` or `... PID/TID ` left of the timestamp starting at `ts`. */
function perfTask(text: string, start: number, ts: number, out: LineHeader): boolean {
  // each character is read once; numbers are summed right to left (exact: at most 10 digits)
  let i = skipBlanksBack(text, start, ts);
  let ch = i >= start ? text.charCodeAt(i) : -1;
  if (ch === RBRACKET) {
    i = skipCpuBack(text, start, i);
    if (i === -2) return false;
    i = skipBlanksBack(text, start, i + 1);
    ch = i >= start ? text.charCodeAt(i) : -1;
  }
  // `-1/-1` or `-1`: perf knows no task for this event (tid -1, which the reader skips)
  if (ch === 49 && i - 1 >= start && text.charCodeAt(i - 1) === DASH) {
    let k = i - 2;
    if (k - 2 >= start && text.charCodeAt(k) === SLASH && text.charCodeAt(k - 1) === 49 && text.charCodeAt(k - 2) === DASH) k -= 3;
    if (k < start || text.charCodeAt(k) === SP || text.charCodeAt(k) === TAB) {
      out.tid = -1;
      out.pid = -1;
      return true;
    }
  }
  let tid = 0, scale = 1, digits = 0;
  while (ch >= 48 && ch <= 57) {
    tid += (ch - 48) * scale;
    scale *= 10;
    digits++;
    i--;
    ch = i >= start ? text.charCodeAt(i) : -1;
  }
  if (digits === 0 || digits > 10) return false;
  out.tid = tid;
  out.pid = -1;
  if (ch === SLASH) {
    i--;
    ch = i >= start ? text.charCodeAt(i) : -1;
    let pid = 0;
    scale = 1;
    digits = 0;
    while (ch >= 48 && ch <= 57) {
      pid += (ch - 48) * scale;
      scale *= 10;
      digits++;
      i--;
      ch = i >= start ? text.charCodeAt(i) : -1;
    }
    if (digits === 0 || digits > 10) return false;
    out.pid = pid;
  }
  return i < start || ch === SP || ch === TAB;
}

/** ftrace: `COMM-TID  (TGID) [CPU] FLAGS ` left of the timestamp starting at `ts`. */
function ftraceTask(text: string, start: number, ts: number, out: LineHeader): boolean {
  let i = skipBlanksBack(text, start, ts);
  if (i < start) return false;
  if (text.charCodeAt(i) !== RBRACKET) {
    // latency flags such as `d..1.` (raw ftrace, trace-cmd -l): one token without brackets
    while (i >= start && text.charCodeAt(i) !== SP && text.charCodeAt(i) !== TAB) i--;
    i = skipBlanksBack(text, start, i + 1);
    if (i < start || text.charCodeAt(i) !== RBRACKET) return false;
  }
  i = skipCpuBack(text, start, i);
  if (i === -2) return false;
  i = skipBlanksBack(text, start, i + 1);
  out.pid = -1;
  if (i >= start && text.charCodeAt(i) === RPAREN) {
    // record-tgid: `(  1234)`, or `(-------)` when the tgid is unknown
    const close = i;
    while (i >= start && text.charCodeAt(i) !== LPAREN) i--;
    if (i < start) return false;
    let d = i + 1;
    while (d < close && text.charCodeAt(d) === SP) d++;
    const pid = digitsValue(text, d, close - 1);
    if (pid >= 0 && allDigits(text, d, close - 1)) out.pid = pid;
    i = skipBlanksBack(text, start, i);
  }
  const last = i;
  while (i >= start && isDigit(text.charCodeAt(i))) i--;
  const tid = digitsValue(text, i + 1, last);
  if (tid < 0 || i < start || text.charCodeAt(i) !== DASH) return false;
  // `COMM -1/-1`: perf's task-less form, never an ftrace COMM-TID (no comm ends in `/` before its tid)
  if (i - 1 >= start && text.charCodeAt(i - 1) === SLASH) return false;
  out.tid = tid;
  return true;
}

function allDigits(text: string, from: number, to: number): boolean {
  for (let k = from; k <= to; k++) if (!isDigit(text.charCodeAt(k))) return false;
  return true;
}

/** How an event-name token ends. */
export const NameEnd = {
  /** `name:` (perf `subsys:name:`, ftrace/trace-cmd `name:`) */
  Colon: 0,
  /** ftrace syscall entry `sys_mmap(args...)` */
  Paren: 1,
  /** ftrace syscall exit `sys_mmap -> ret` */
  Arrow: 2,
  /** anything else, e.g. a function-tracer line */
  Other: 3,
} as const;
export type NameEnd = (typeof NameEnd)[keyof typeof NameEnd];

/** Where an event-name token was found by `scanEventName`. */
export interface EventToken {
  start: number;
  end: number;
  kind: NameEnd;
  /** Index of the body (after the name, its delimiter and spaces). */
  body: number;
}

/**
 * Find the event name starting at `from` (the line ends at `n`): the token up to the first space, minus its trailing
 * `:`; for ftrace syscalls, `sys_NAME(` and `sys_NAME ->` are recognised too. perf prints a
 * sample period before software event names (`1 page-faults:`); `skipPeriod` (perf) skips it,
 * and only ftrace text (`skipPeriod` false) has `sys_NAME(` names.
 */
export function scanEventName(line: string, from: number, n: number, skipPeriod: boolean, out: EventToken): void {
  let i = from;
  if (skipPeriod && i < n && isDigit(line.charCodeAt(i))) {
    let k = i;
    while (k < n && isDigit(line.charCodeAt(k))) k++;
    if (k < n && line.charCodeAt(k) === SP) {
      while (k < n && line.charCodeAt(k) === SP) k++;
      i = k;
    }
  }
  out.start = i;
  let k = line.indexOf(' ', i);
  if (k < 0 || k > n) k = n;
  // ftrace syscall entries put the arguments right after the name: `sys_mmap(addr: 0, ...`
  const paren = skipPeriod ? -1 : line.indexOf('(', i);
  if (paren >= 0 && paren < k) k = paren;
  let body = k;
  if (k === paren) {
    out.kind = NameEnd.Paren;
    out.end = k;
    body = k + 1;
  } else if (k > i && line.charCodeAt(k - 1) === COLON) {
    out.kind = NameEnd.Colon;
    out.end = k - 1;
  } else if (k + 2 < n && line.charCodeAt(k + 1) === DASH && line.charCodeAt(k + 2) === 62 /* > */) {
    out.kind = NameEnd.Arrow;
    out.end = k;
    body = k + 3;
  } else {
    out.kind = NameEnd.Other;
    out.end = k;
  }
  while (body < n) {
    const ch = line.charCodeAt(body);
    if (ch !== SP && ch !== TAB) break;
    body++;
  }
  out.body = body;
}

/** Converts header timestamps to integer ns relative to the first event of the trace. */
export class TimeBase {
  private secs = -1;
  private fracNs = 0;

  /** ns since the first event; the first call defines zero. Never through floating point. */
  ns(h: LineHeader): number {
    if (this.secs < 0) {
      this.secs = h.secs;
      this.fracNs = h.fracNs;
    }
    return (h.secs - this.secs) * 1e9 + (h.fracNs - this.fracNs);
  }
}

/** Lines of the first chunk the sniffers look at. */
const SNIFF_LINES = 50;

/**
 * Of the first SNIFF_LINES non-comment lines of `head`, those whose header parses in `style`
 * with an event name after it, when they outnumber lines parsing in the other style; else 0.
 * perf prints `COMM TID`, ftrace `COMM-TID`, so a line parses in at most one style.
 */
export function countStyleLines(head: string, style: HeaderStyle): number {
  const h: LineHeader = { tid: 0, pid: 0, secs: 0, fracNs: 0, rest: 0 };
  const tok: EventToken = { start: 0, end: 0, kind: NameEnd.Other, body: 0 };
  let mine = 0, other = 0, seen = 0;
  for (const line of head.split('\n', 4 * SNIFF_LINES)) {
    if (seen >= SNIFF_LINES) break;
    const t = line.trimStart();
    if (t.length === 0 || t.charCodeAt(0) === 35 /* # */) continue;
    seen++;
    if (parseHeader(line, 0, line.length, style, h)) {
      scanEventName(line, h.rest, line.length, style === 'perf', tok);
      if (tok.kind !== NameEnd.Other) mine++;
    } else if (parseHeader(line, 0, line.length, style === 'perf' ? 'ftrace' : 'perf', h)) {
      other++;
    }
  }
  return mine > other ? mine : 0;
}
