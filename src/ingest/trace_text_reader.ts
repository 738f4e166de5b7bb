/**
 * What the perf script and ftrace readers share: lines handed over in place by ChunkLines, the
 * parsed header and event token of the current line (reused, no per-line objects), the trace
 * state (pid grouping, reorder buffer, tracepoint dispatch) and the `rows_read` tally. Each
 * format implements only `onLine`. With worker threads, `pushParsed` takes pieces whose page
 * faults a worker has parsed (trace_parallel.ts).
 */
import { Buffer } from 'node:buffer';
import { lineTooLong, MAX_LINE_CHARS, type ReaderContext, type SourceFormat, type TraceReader } from './reader.js';
import { ChunkLines } from './perf_lines.js';
import { NameEnd, type EventToken, type LineHeader } from './perf_header.js';
import { TraceState } from './perf_state.js';
import { faultRow } from './tracepoints.js';
import type { TracePieceResult } from './trace_worker.js';

export abstract class TraceTextReader implements TraceReader {
  abstract readonly format: SourceFormat;
  private readonly splitter = new ChunkLines((text, start, end, no) => this.onLine(text, start, end, no), (no, start) => {
    throw lineTooLong(this.ctx.file, no, start);
  });
  protected readonly state: TraceState;
  protected readonly h: LineHeader = { tid: 0, pid: -1, secs: 0, fracNs: 0, rest: 0 };
  protected readonly tok: EventToken = { start: 0, end: 0, kind: NameEnd.Other, body: 0 };
  /** Lines read, added to `rows_read` at the end (one Map update per line is measurable). */
  protected lines = 0;

  constructor(protected readonly ctx: ReaderContext, reorderCap: number) {
    this.state = new TraceState(ctx, reorderCap);
  }

  push(chunk: string): void {
    this.splitter.push(chunk);
  }

  /**
   * The next lines, as `bytes` (all ASCII, whole lines) and what a worker parsed of them: its
   * page faults become rows as `onLine` and pageFaultUser would make them; every other line is
   * read here by `onLine`, as text.
   */
  pushParsed(bytes: Uint8Array, r: TracePieceResult): void {
    const base = this.splitter.line;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < r.lines; i++) {
      if (r.fault[i] === 1) {
        this.fault(r, i, base + i + 1);
      } else {
        // one string per line, not the whole piece: most pieces have few such lines
        if (r.end[i]! - r.start[i]! > MAX_LINE_CHARS) throw lineTooLong(this.ctx.file, base + i + 1, buf.toString('latin1', r.start[i]!, r.start[i]! + 120));
        const line = buf.toString('latin1', r.start[i]!, r.end[i]!);
        this.onLine(line, 0, line.length, base + i + 1);
      }
    }
    this.splitter.line += r.lines;
  }

  /** The input's name in messages. */
  get file(): string {
    return this.ctx.file;
  }

  /** Lines read so far (every line, events or not). */
  get linesRead(): number {
    return this.splitter.line;
  }

  end(): void {
    this.splitter.end();
    this.state.finish();
    this.ctx.counters.add('rows_read', this.lines);
    this.lines = 0;
  }

  /** One line, `text[start, end)`, line number `no`. */
  protected abstract onLine(text: string, start: number, end: number, no: number): void;

  /** Line `i` of a parsed piece, a page fault: the steps of `onLine` and pageFaultUser for it. */
  private fault(r: TracePieceResult, i: number, no: number): void {
    this.lines++;
    const h = this.h;
    h.tid = r.tid[i]!;
    h.pid = r.pid[i]!;
    h.secs = r.secs[i]!;
    h.fracNs = r.fracNs[i]!;
    faultRow(this.state, this.state.begin(h, '', 0, 0, no, 0), r.op[i]!, r.addr[i]!);
    this.state.afterEvent();
  }
}
