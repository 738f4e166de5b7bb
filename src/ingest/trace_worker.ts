/**
 * The piece parser of the perf/ftrace piece reader (trace_parallel.ts), run by worker threads
 * and, without workers, in the main thread. Page faults are nearly every line of a recorded
 * trace and the only lines whose meaning needs no reader state, so they are what a piece parser
 * reads: header (tid, pid, time) and body (op, address) into typed columns, straight from the
 * bytes (fault_bytes.ts, a strict fast path checked against the readers' parseHeader /
 * scanEventName / parseFault). Every other line (other events, malformed fields, comments, bad
 * lines, lines the fast path is not sure of) is left to the reader, which reads it as text in
 * order, exactly as it would have without pieces.
 *
 * Only all-ASCII pieces are parsed here: their bytes are their text (latin1 decoding is exact),
 * so byte offsets are text offsets. A piece with any other byte is read by the reader as UTF-8.
 */
import { isAscii } from 'node:buffer';
import { faultLine, type ByteFault } from './fault_bytes.js';
import type { HeaderStyle } from './perf_header.js';
import { servePieces } from './pieces.js';
import { faultOp } from './tracepoints.js';

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

const CR = 13;

/** Parse one piece of whole lines (it ends with a newline). */
export function parseTracePiece(init: TracePieceInit, bytes: Uint8Array): TracePieceResult {
  if (!isAscii(bytes)) return columns(false, 0);
  const ftrace = init.style === 'ftrace';
  let out = columns(true, (bytes.length >> 6) + 64);
  const f: ByteFault = { tid: 0, pid: -1, secs: 0, fracNs: 0, addr: 0, code: 0, nl: 0 };
  let i = 0;
  for (let s = 0; s < bytes.length; i++) {
    if (i === out.lines) out = grown(out);
    const fault = faultLine(bytes, s, ftrace, f);
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

function columns(ascii: boolean, lines: number): TracePieceResult {
  return {
    ascii, lines, fault: new Uint8Array(lines), start: new Int32Array(lines), end: new Int32Array(lines),
    tid: new Float64Array(lines), pid: new Float64Array(lines), secs: new Float64Array(lines),
    fracNs: new Float64Array(lines), op: new Int8Array(lines), addr: new Float64Array(lines),
  };
}

/** Marker in workerData that makes this module serve pieces. */
export const TRACE_WORKER_MARK = 'mmreplay-trace-worker';

servePieces(TRACE_WORKER_MARK, parseTracePiece, (r) => COLUMNS.map((k) => r[k].buffer as ArrayBuffer));
