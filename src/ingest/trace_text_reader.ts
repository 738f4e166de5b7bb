/**
 * What the perf script and ftrace readers share: lines handed over in place by ChunkLines, the
 * parsed header and event token of the current line (reused, no per-line objects), the trace
 * state (pid grouping, reorder buffer, tracepoint dispatch) and the `rows_read` tally. Each
 * format implements only `onLine`.
 */
import type { ReaderContext, SourceFormat, TraceReader } from './reader.js';
import { ChunkLines } from './perf_lines.js';
import { NameEnd, type EventToken, type LineHeader } from './perf_header.js';
import { TraceState } from './perf_state.js';

export abstract class TraceTextReader implements TraceReader {
  abstract readonly format: SourceFormat;
  private readonly splitter = new ChunkLines((text, start, end, no) => this.onLine(text, start, end, no));
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

  end(): void {
    this.splitter.end();
    this.state.finish();
    this.ctx.counters.add('rows_read', this.lines);
    this.lines = 0;
  }

  /** One line, `text[start, end)`, line number `no`. */
  protected abstract onLine(text: string, start: number, end: number, no: number): void;
}
