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
import { Worker } from 'node:worker_threads';
import { CsvReader } from './csv.js';
import { CSV_WORKER_MARK, parsePiece, type CsvPieceInit, type CsvPieceRequest, type CsvPieceResult } from './csv_worker.js';
import type { ReaderContext } from './reader.js';

/** Parses pieces somewhere: worker threads, or in this thread (tests). */
export interface CsvPiecePool {
  /** Prepare for a file; false when the pool cannot run (the reader then stays sequential). */
  start(init: CsvPieceInit): Promise<boolean>;
  parse(bytes: Uint8Array): Promise<CsvPieceResult>;
  close(): Promise<void>;
}

/** A pool that parses in the calling thread: same results, no parallelism (for tests). */
export function inlinePool(): CsvPiecePool {
  let init: CsvPieceInit | undefined;
  return {
    start: async (i) => { init = i; return true; },
    parse: async (bytes) => parsePiece(init!, bytes),
    close: async () => undefined,
  };
}

/** A pool of `n` worker threads running csv_worker.js, pieces dealt round robin. */
export function workerPool(n: number): CsvPiecePool {
  const workers: Worker[] = [];
  const waiting = new Map<number, { resolve: (r: CsvPieceResult) => void; reject: (e: unknown) => void }>();
  let init: CsvPieceInit | undefined;
  let next = 0;
  const fail = (err: unknown): void => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  return {
    async start(i) {
      init = i;
      try {
        for (let k = 0; k < n; k++) {
          const w = new Worker(new URL('./csv_worker.js', import.meta.url), { workerData: CSV_WORKER_MARK });
          workers.push(w);
          // 'ready' comes after the module has loaded ('online' would come before a failed import).
          await new Promise<void>((resolve, reject) => { w.once('message', () => resolve()); w.once('error', reject); });
          w.on('message', (m: { id: number; result: CsvPieceResult }) => {
            waiting.get(m.id)?.resolve(m.result);
            waiting.delete(m.id);
          });
          w.on('error', fail);
        }
        return true;
      } catch {
        // e.g. running from TypeScript sources, where there is no csv_worker.js: stay sequential.
        await Promise.all(workers.map((w) => w.terminate()));
        workers.length = 0;
        return false;
      }
    },
    parse(bytes) {
      const id = next++;
      const w = workers[id % workers.length]!;
      const req: CsvPieceRequest = { id, bytes, init: id < workers.length ? init : undefined };
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        w.postMessage(req, [bytes.buffer as ArrayBuffer]);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** Pieces parsed ahead per worker thread: enough to keep them busy, bounded memory. */
const AHEAD = 3;

/** Read one CSV input with `pool`; `afterPiece` lets the pipeline drain finished batches. */
export async function readCsvParallel(
  ctx: ReaderContext,
  chunks: AsyncIterable<Uint8Array>,
  pool: CsvPiecePool,
  workers: number,
  afterPiece: () => Promise<void>,
): Promise<void> {
  const seq = new CsvReader(ctx);
  const text = new TextDecoder('utf-8');
  const sequential = (bytes: Uint8Array): void => seq.push(text.decode(bytes, { stream: true }));
  const inflight: { bytes: Uint8Array; result: Promise<CsvPieceResult> }[] = [];
  let parallel: boolean | undefined;
  let carry: Uint8Array | undefined;

  const apply = async (piece: { bytes: Uint8Array; result: Promise<CsvPieceResult> }): Promise<void> => {
    const r = await piece.result;
    if (r.quoted || seq.pending) return sequential(piece.bytes);
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
    await afterPiece();
  };

  try {
    for await (const chunk of chunks) {
      const buf = carry === undefined ? chunk : concat(carry, chunk);
      const nl = buf.lastIndexOf(10);
      if (nl < 0) { carry = buf; continue; }
      const piece = buf.slice(0, nl + 1);
      carry = buf.slice(nl + 1);
      if (parallel === undefined && seq.layout !== undefined) parallel = await pool.start({ file: ctx.file, layout: seq.layout, newline: seq.newline });
      if (!parallel) {
        sequential(piece);
        await afterPiece();
        continue;
      }
      // The pool gets its own copy: the transfer detaches it, and this thread may still need the bytes.
      const result = pool.parse(piece.slice());
      result.catch(() => undefined); // awaited in order below; never left unhandled if ingest stops early
      inflight.push({ bytes: piece, result });
      while (inflight.length > AHEAD * workers) await apply(inflight.shift()!);
    }
    while (inflight.length > 0) await apply(inflight.shift()!);
  } finally {
    await pool.close();
  }
  if (carry !== undefined && carry.length > 0) sequential(carry);
  const rest = text.decode();
  if (rest.length > 0) seq.push(rest);
  seq.end();
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
