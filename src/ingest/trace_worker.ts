/**
 * The piece parser of the perf/ftrace piece reader (trace_parallel.ts), run by worker threads
 * and, for perf script without workers, in the main thread. Page faults are nearly every line of
 * a recorded trace and the only lines whose meaning needs no reader state, so they are what a
 * piece parser reads: header (tid, pid, time) and body (op, address) into typed columns. perf
 * script faults are read straight from the bytes (fault_bytes.ts, a strict fast path checked
 * against the text parsers); ftrace pieces are decoded and read with the same parseHeader /
 * scanEventName / parseFault the readers use. Every other line (other events, malformed fields,
 * comments, bad lines) is left to the reader, which reads it as text in order, exactly as it
 * would have without pieces.
 *
 * Only all-ASCII pieces are parsed here: their bytes are their text (latin1 decoding is exact),
 * so byte offsets are text offsets. A piece with any other byte is read by the reader as UTF-8.
 */
import { Buffer, isAscii } from 'node:buffer';
import { NameEnd, parseHeader, scanEventName, type EventToken, type HeaderStyle, type LineHeader } from './perf_header.js';
import { servePieces } from './pieces.js';
import { DECODE_PIECE } from './text_decode.js';
import { TRACEPOINTS, faultOp, pageFaultUser, parseFault, type FaultFields } from './tracepoints.js';
import { perfFaultLine, type ByteFault } from './fault_bytes.js';

/** What every piece of one file is parsed with. */
export interface TracePieceInit {
  style: HeaderStyle;
}

/** One parsed piece of whole lines. Line `i` of the piece is line `i` of each column. */
export interface TracePieceResult {
  /** False when the piece has a byte above 127: the reader reads it as text instead (no columns). */
  ascii: boolean;
  lines: number;
  /** 1 when the line is a page fault parsed here (the columns below hold it), 0 when the reader reads it. */
  fault: Uint8Array;
  /** The line is `piece[start, end)` without its `\n` or `\r\n`. */
  start: Int32Array;
  end: Int32Array;
  /** Header and body of fault lines (pid -1 when not printed); tids may have 10 digits, so not Int32. */
  tid: Float64Array;
  pid: Float64Array;
  secs: Float64Array;
  fracNs: Float64Array;
  op: Int8Array;
  addr: Float64Array;
}

const NL = 10, CR = 13;

/** Parse one piece of whole lines (it ends with a newline). */
export function parseTracePiece(init: TracePieceInit, bytes: Uint8Array): TracePieceResult {
  if (!isAscii(bytes)) return columns(false, 0);
  return init.style === 'perf' ? perfPiece(bytes) : textPiece(init.style, bytes);
}

/** perf script: page faults read from the bytes (fault_bytes.ts), every other line left to the reader. */
function perfPiece(bytes: Uint8Array): TracePieceResult {
  let out = columns(true, (bytes.length >> 6) + 64);
  const f: ByteFault = { tid: 0, pid: -1, secs: 0, fracNs: 0, addr: 0, code: 0, nl: 0 };
  let i = 0;
  for (let s = 0; s < bytes.length; i++) {
    if (i === out.lines) out = grown(out);
    const fault = perfFaultLine(bytes, s, f);
    const nl = f.nl;
    out.start[i] = s;
    out.end[i] = nl > s && bytes[nl - 1] === CR ? nl - 1 : nl;
    if (fault) {
      out.fault[i] = 1;
      out.tid[i] = f.tid;
      out.pid[i] = f.pid;
      out.secs[i] = f.secs;
      out.fracNs[i] = f.fracNs;
      out.op[i] = faultOp(f.code);
      out.addr[i] = f.addr;
    }
    s = nl + 1;
  }
  return trimmed(out, i);
}

/** The columns with twice the room, the first `lines` rows copied. */
function grown(r: TracePieceResult): TracePieceResult {
  const out = columns(true, r.lines * 2);
  for (const k of COLUMNS) out[k].set(r[k] as never);
  return out;
}

/** The first `lines` rows of the columns: views of the same buffers (which a worker transfers). */
function trimmed(r: TracePieceResult, lines: number): TracePieceResult {
  return {
    ascii: r.ascii, lines, fault: r.fault.subarray(0, lines), start: r.start.subarray(0, lines), end: r.end.subarray(0, lines),
    tid: r.tid.subarray(0, lines), pid: r.pid.subarray(0, lines), secs: r.secs.subarray(0, lines),
    fracNs: r.fracNs.subarray(0, lines), op: r.op.subarray(0, lines), addr: r.addr.subarray(0, lines),
  };
}

/** The column names, for copying and transferring. */
const COLUMNS = ['fault', 'start', 'end', 'tid', 'pid', 'secs', 'fracNs', 'op', 'addr'] as const;

/** ftrace: the piece decoded (latin1 is exact for ASCII) and its lines read as text. */
function textPiece(style: HeaderStyle, bytes: Uint8Array): TracePieceResult {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // decoded in DECODE_PIECE pieces cut at newlines (larger strings are slower to read)
  const texts: string[] = [];
  const offsets: number[] = [];
  let lines = 0;
  for (let at = 0; at < buf.length;) {
    const cut = at + DECODE_PIECE >= buf.length ? buf.length : buf.lastIndexOf(NL, at + DECODE_PIECE) + 1;
    const to = cut > at ? cut : buf.indexOf(NL, at) + 1; // a line longer than DECODE_PIECE
    const text = buf.toString('latin1', at, to);
    texts.push(text);
    offsets.push(at);
    lines += countLines(text);
    at = to;
  }
  const out = columns(true, lines);
  const parser = new FaultLines(style, out);
  for (let k = 0; k < texts.length; k++) parser.parse(texts[k]!, offsets[k]!);
  return out;
}

function countLines(text: string): number {
  let n = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) n++;
  return n;
}

function columns(ascii: boolean, lines: number): TracePieceResult {
  return {
    ascii, lines, fault: new Uint8Array(lines), start: new Int32Array(lines), end: new Int32Array(lines),
    tid: new Float64Array(lines), pid: new Float64Array(lines), secs: new Float64Array(lines),
    fracNs: new Float64Array(lines), op: new Int8Array(lines), addr: new Float64Array(lines),
  };
}

/** Fills the columns line by line; the header, token and fault scratch objects are reused. */
class FaultLines {
  private readonly h: LineHeader = { tid: 0, pid: -1, secs: 0, fracNs: 0, rest: 0 };
  private readonly tok: EventToken = { start: 0, end: 0, kind: NameEnd.Other, body: 0 };
  private readonly f: FaultFields = { addr: 0, op: 0 };
  /** The last event token and whether it names page_fault_user (most lines repeat it). */
  private lastName = '';
  private lastIsFault = false;
  private i = 0;

  constructor(private readonly style: HeaderStyle, private readonly out: TracePieceResult) {}

  /** The lines of `text` (whole lines), which starts at byte `base` of the piece. */
  parse(text: string, base: number): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      // `\r\n` as ChunkLines has it: the line ends before the `\r`
      const end = nl > start && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
      const i = this.i++;
      this.out.start[i] = base + start;
      this.out.end[i] = base + end;
      if (this.fault(text, start, end)) this.store(i);
      start = nl + 1;
    }
  }

  /**
   * Whether `text[start, end)` is a page fault with a well-formed body: the line the readers would
   * hand to pageFaultUser (a `NAME:` token naming it) with an address and error code it accepts.
   */
  private fault(text: string, start: number, end: number): boolean {
    if (!parseHeader(text, start, end, this.style, this.h)) return false;
    const tok = this.tok;
    scanEventName(text, this.h.rest, end, this.style === 'perf', tok);
    if (tok.kind !== NameEnd.Colon || !this.faultName(text, tok)) return false;
    parseFault(text, tok.body, end, this.f);
    return this.f.addr >= 0 && this.f.op >= 0;
  }

  private faultName(text: string, tok: EventToken): boolean {
    // slice and `===` (a memcmp), as PerfReader.eventName: twice as fast as `startsWith`
    const name = text.slice(tok.start, tok.end);
    if (name === this.lastName) return this.lastIsFault;
    this.lastName = name;
    this.lastIsFault = TRACEPOINTS.get(name) === pageFaultUser;
    return this.lastIsFault;
  }

  private store(i: number): void {
    const { out, h, f } = this;
    out.fault[i] = 1;
    out.tid[i] = h.tid;
    out.pid[i] = h.pid;
    out.secs[i] = h.secs;
    out.fracNs[i] = h.fracNs;
    out.op[i] = f.op;
    out.addr[i] = f.addr;
  }
}

/** Marker in workerData that makes this module serve pieces. */
export const TRACE_WORKER_MARK = 'mmreplay-trace-worker';

servePieces(TRACE_WORKER_MARK, parseTracePiece, (r) => COLUMNS.map((k) => r[k].buffer as ArrayBuffer));
