/**
 * The CSV piece parser of the parallel CSV reader (csv_parallel.ts): papaparse plus number
 * parsing for one piece of complete lines, into typed columns. `parsePiece` is pure; when this
 * module runs as a worker thread it serves pieces posted by the pool, transferring the columns.
 */
import Papa from 'papaparse';
import { allocColumns, type EventColumnArrays } from './columns.js';
import { CsvRowDecoder, type CsvLayout } from './csv.js';
import { servePieces } from './pieces.js';
import { MAX_REPORTED_ERRORS, type EventSink } from './reader.js';
import { Counters } from '../util/diagnostics.js';
import type { InputIssue } from '../util/errors.js';

/** What every piece of one file is parsed with (known once the header has been read). */
export interface CsvPieceInit {
  file: string;
  layout: CsvLayout;
  newline: '\n' | '\r\n';
}

/** One parsed piece. Lines are relative: 0 is the piece's first line. */
export interface CsvPieceResult {
  /** True when the piece has a quote character: it must be parsed in order instead. */
  quoted: boolean;
  /** Events decoded, their columns (`rows` long) and the relative line of each. */
  rows: number;
  columns: EventColumnArrays;
  line: Int32Array;
  /** Lines in the piece (it ends with a newline). */
  lines: number;
  issues: InputIssue[];
  counters: Record<string, number>;
}

/** Collects decoded events into preallocated columns. */
class ColumnSink implements EventSink {
  n = 0;
  constructor(readonly cols: EventColumnArrays, readonly line: Int32Array) {}
  push(ts: number, pid: number, tid: number, op: number, addr: number, len: number, arg: number, line: number): void {
    const c = this.cols;
    const i = this.n++;
    c.ts[i] = ts; c.pid[i] = pid; c.tid[i] = tid; c.op[i] = op; c.addr[i] = addr; c.len[i] = len; c.arg[i] = arg;
    this.line[i] = line;
  }
  internObject(): number {
    throw new Error('CSV rows carry no objects');
  }
}


/** Parse one piece of complete lines (ending with a newline) of a CSV whose header is known. */
export function parsePiece(init: CsvPieceInit, bytes: Uint8Array): CsvPieceResult {
  const text = new TextDecoder('utf-8').decode(bytes);
  if (text.indexOf('"') >= 0) {
    return { quoted: true, rows: 0, columns: allocColumns(0), line: new Int32Array(0), lines: 0, issues: [], counters: {} };
  }
  const parser = new Papa.Parser({ delimiter: ',', newline: init.newline });
  const data = (parser.parse(text, 0, true) as Papa.ParseResult<string[]>).data;
  const sink = new ColumnSink(allocColumns(data.length), new Int32Array(data.length));
  const counters = new Counters();
  const issues: InputIssue[] = [];
  const decoder = new CsvRowDecoder(init.file, sink, counters, (issue, warning) => {
    if (!warning && issues.length < MAX_REPORTED_ERRORS) issues.push(issue);
  });
  decoder.layout = init.layout;
  decoder.decode(data, 0, false);
  const n = sink.n;
  const c = sink.cols;
  const columns: EventColumnArrays = {
    ts: c.ts.slice(0, n), pid: c.pid.slice(0, n), tid: c.tid.slice(0, n), op: c.op.slice(0, n),
    addr: c.addr.slice(0, n), len: c.len.slice(0, n), arg: c.arg.slice(0, n),
  };
  return { quoted: false, rows: n, columns, line: sink.line.slice(0, n), lines: data.length, issues, counters: counters.toJSON() };
}

/** Marker in workerData that makes this module serve pieces. */
export const CSV_WORKER_MARK = 'mmreplay-csv-worker';

servePieces(CSV_WORKER_MARK, parsePiece, (r) => {
  const c = r.columns;
  return [c.ts, c.pid, c.tid, c.op, c.addr, c.len, c.arg, r.line].map((a) => a.buffer as ArrayBuffer);
});
