/**
 * CSV ingest on several cores: the bytes are cut into pieces at the last newline of each chunk,
 * worker threads parse pieces (papaparse and number parsing, csv_worker.ts) into typed columns,
 * and this thread applies the results strictly in input order to the validating sink, which
 * keeps validation and line numbers exactly as the sequential CsvReader has them.
 *
 * The header, the end of the input, and any piece with a quote character (a quoted field may hide
 * a newline, so cutting at newlines is only safe without quotes) go through the sequential
 * CsvReader instead, in order; once it holds a partial row, pieces stay sequential until it is
 * complete. Pieces already parsed speculatively by workers are then simply re-read in order.
 */
import { CsvReader } from './csv.js';
import { CSV_WORKER_MARK, parsePiece, type CsvPieceInit, type CsvPieceResult } from './csv_worker.js';
import { piecePools, readPieces, type PiecePool } from './pieces.js';
import { lineTooLong, type ReaderContext } from './reader.js';

/** Parses CSV pieces somewhere: worker threads, or in this thread (tests). */
export type CsvPiecePool = PiecePool<CsvPieceInit, CsvPieceResult>;

const pools = piecePools(parsePiece, new URL('./csv_worker.js', import.meta.url), CSV_WORKER_MARK);
/** A pool that parses in the calling thread: same results, no parallelism (for tests). */
export const inlinePool = pools.inline;
/** A pool of `n` worker threads running csv_worker.js, pieces dealt round robin. */
export const workerPool = pools.workers;

/** Read one CSV input with `pool`; `afterPiece` lets the pipeline drain finished batches. */
export async function readCsvParallel(
  ctx: ReaderContext,
  chunks: AsyncIterable<Uint8Array>,
  pool: CsvPiecePool,
  workers: number,
  afterPiece: () => Promise<void>,
): Promise<number> {
  const seq = new CsvReader(ctx);
  const text = new TextDecoder('utf-8');
  const sequential = (bytes: Uint8Array): void => seq.push(text.decode(bytes, { stream: true }));

  const apply = (bytes: Uint8Array, r: CsvPieceResult): void => {
    if (r.quoted || seq.pending) return sequential(bytes);
    const base = seq.line;
    for (const [k, v] of Object.entries(r.counters)) ctx.counters.add(k, v);
    const { ts, pid, tid, op, addr, len, arg } = r.columns;
    const { events, issues } = ctx;
    // Parse issues and the sink's validation issues interleave in line order, as sequentially.
    let next = 0;
    const issuesBefore = (line: number): void => {
      while (next < r.issues.length && r.issues[next]!.line! < line) issues.error({ ...r.issues[next]!, line: base + r.issues[next++]!.line! });
    };
    for (let i = 0; i < r.rows; i++) {
      if (next < r.issues.length) issuesBefore(r.line[i]!);
      events.push(ts[i]!, pid[i]!, tid[i]!, op[i]!, addr[i]!, len[i]!, arg[i]!, base + r.line[i]!);
    }
    issuesBefore(Infinity);
    seq.line += r.lines;
  };

  const init = (): CsvPieceInit | undefined => seq.layout === undefined ? undefined : { file: ctx.file, layout: seq.layout, newline: seq.newline };
  const tooLong = (start: Uint8Array): never => {
    throw lineTooLong(ctx.file, seq.line, text.decode(start.subarray(0, 120)));
  };
  const tail = await readPieces(chunks, pool, workers, { init, sequential, apply, afterPiece, tooLong });
  if (tail.length > 0) sequential(tail);
  const rest = text.decode();
  if (rest.length > 0) seq.push(rest);
  seq.end();
  return seq.linesRead;
}
