/**
 * The piece parser of the parallel perf/ftrace reader (trace_parallel.ts). Page faults are
 * nearly every line of a recorded trace and the only lines whose meaning needs no reader state,
 * so they are what a worker thread parses: header (tid, pid, time) and body (op, address) into
 * typed columns, with the same parseHeader / scanEventName / parseFault the readers use. Every
 * other line (other events, malformed fields, comments, bad lines) is left to the reader on the
 * main thread, which reads it as text in order, exactly as it would have without workers.
 *
 * Only all-ASCII pieces are parsed here: their bytes are their text (latin1 decoding is exact),
 * so byte offsets are text offsets. A piece with any other byte is read by the reader as UTF-8.
 */
import { Buffer, isAscii } from 'node:buffer';
import { NameEnd, parseHeader, scanEventName, type EventToken, type HeaderStyle, type LineHeader } from './perf_header.js';
import { servePieces } from './pieces.js';
import { DECODE_PIECE } from './text_decode.js';
import { TRACEPOINTS, pageFaultUser, parseFault, type FaultFields } from './tracepoints.js';

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
  const parser = new FaultLines(init.style, out);
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

servePieces(TRACE_WORKER_MARK, parseTracePiece, (r) =>
  [r.fault, r.start, r.end, r.tid, r.pid, r.secs, r.fracNs, r.op, r.addr].map((a) => a.buffer as ArrayBuffer));
