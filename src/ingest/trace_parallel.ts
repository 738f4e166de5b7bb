/**
 * perf script and ftrace ingest in pieces (pieces.ts): a pool parses the page-fault lines of
 * each piece (trace_worker.ts), on worker threads or, without workers, in this thread, while
 * this thread applies the pieces in order to the format's reader, which turns the parsed faults
 * into rows and reads every other line itself, as text, exactly as the text reader alone does.
 * Pieces with non-ASCII bytes, and everything when the workers cannot start, are decoded and
 * read as text here; decoding goes through one ChunkDecoder for the whole input, so a BOM and
 * invalid UTF-8 come out as they do without pieces.
 */
import { piecePools, readPieces, type PiecePool } from './pieces.js';
import { lineTooLong } from './reader.js';
import { ChunkDecoder, endDecoded, pushDecoded } from './text_decode.js';
import type { TraceTextReader } from './trace_text_reader.js';
import { TRACE_WORKER_MARK, parseTracePiece, type TracePieceInit, type TracePieceResult } from './trace_worker.js';

/** Parses perf/ftrace pieces somewhere: worker threads, or in this thread. */
export type TracePiecePool = PiecePool<TracePieceInit, TracePieceResult>;

/** `tracePools.workers(n)`: n threads running trace_worker.js; `tracePools.inline()`: this thread. */
export const tracePools = piecePools(parseTracePiece, new URL('./trace_worker.js', import.meta.url), TRACE_WORKER_MARK);

/** Read one perf or ftrace input with `pool`; `afterPiece` lets the pipeline drain finished batches. */
export async function readTraceParallel(
  reader: TraceTextReader,
  chunks: AsyncIterable<Uint8Array>,
  pool: TracePiecePool,
  workers: number,
  afterPiece: () => Promise<void>,
): Promise<void> {
  const decoder = new ChunkDecoder();
  const sequential = (bytes: Uint8Array): void => pushDecoded(reader, decoder, bytes);
  const apply = (bytes: Uint8Array, r: TracePieceResult): void => {
    if (!r.ascii) return sequential(bytes);
    decoder.skipAscii(bytes);
    reader.pushParsed(bytes, r);
  };
  const init = (): TracePieceInit => ({ style: reader.format === 'perf' ? 'perf' : 'ftrace' });
  const tooLong = (start: Uint8Array): never => {
    throw lineTooLong(reader.file, reader.linesRead + 1, Buffer.from(start).toString('latin1'));
  };
  const tail = await readPieces(chunks, pool, workers, { init, sequential, apply, afterPiece, tooLong });
  sequential(tail);
  endDecoded(reader, decoder);
}
