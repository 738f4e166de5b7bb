/**
 * Parsing a text input on worker threads, shared by the CSV reader (csv_parallel.ts) and the
 * perf/ftrace readers (trace_parallel.ts): the bytes are cut into pieces at the last newline of
 * each chunk, a pool parses pieces ahead (in worker threads, or in this thread: tests, and perf
 * and ftrace text without workers), and the results are applied strictly in input order by the format's
 * own code, so rows, counters, messages and line numbers stay exactly those of the sequential
 * reader.
 */
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { MAX_LINE_CHARS } from './reader.js';

/** A parsed piece and its bytes, handed back (a worker gets them transferred, and returns them). */
export interface Parsed<Result> {
  bytes: Uint8Array;
  result: Result;
}

/** Parses pieces somewhere: worker threads, or in this thread. */
export interface PiecePool<Init, Result> {
  /** Prepare for a file; false when the pool cannot run (the reader then stays sequential). */
  start(init: Init): Promise<boolean>;
  /** Parse `bytes`, which the pool owns until it hands them back. */
  parse(bytes: Uint8Array): Promise<Parsed<Result>>;
  close(): Promise<void>;
}

/** Parses one piece of complete lines; pure, so it runs the same in a worker or in this thread. */
export type PieceParser<Init, Result> = (init: Init, bytes: Uint8Array) => Result;

/** A pool that parses in the calling thread: same results, no parallelism (tests; perf and ftrace text without workers). */
export function inlinePool<Init, Result>(parse: PieceParser<Init, Result>): PiecePool<Init, Result> {
  let init: Init | undefined;
  return {
    start: async (i) => { init = i; return true; },
    parse: async (bytes) => ({ bytes, result: parse(init!, bytes) }),
    close: async () => undefined,
  };
}

/**
 * The two pools of a piece parser: `inline` (in this thread) and `workers(n)`
 * (n worker threads running `script`, a module that calls `servePieces` with `mark`).
 */
export function piecePools<Init, Result>(parse: PieceParser<Init, Result>, script: URL, mark: string) {
  return {
    inline: (): PiecePool<Init, Result> => inlinePool(parse),
    workers: (n: number): PiecePool<Init, Result> => workerPool(script, mark, n),
  };
}

/** Message from a pool to its worker: a piece, and the file's init with the first piece. */
interface PieceRequest<Init> {
  id: number;
  init?: Init;
  bytes: Uint8Array;
}

/**
 * A pool of `n` worker threads running `script` (a module calling `servePieces` with `mark`),
 * pieces dealt round robin.
 */
export function workerPool<Init, Result>(script: URL, mark: string, n: number): PiecePool<Init, Result> {
  const workers: Worker[] = [];
  const waiting = new Map<number, { resolve: (r: Parsed<Result>) => void; reject: (e: unknown) => void }>();
  let init: Init | undefined;
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
          const w = new Worker(script, { workerData: mark });
          workers.push(w);
          // 'ready' comes after the module has loaded ('online' would come before a failed import).
          await new Promise<void>((resolve, reject) => { w.once('message', () => resolve()); w.once('error', reject); });
          w.on('message', (m: { id: number } & Parsed<Result>) => {
            waiting.get(m.id)?.resolve(m);
            waiting.delete(m.id);
          });
          w.on('error', fail);
        }
        return true;
      } catch {
        // e.g. running from TypeScript sources, where there is no compiled worker script: stay sequential.
        await Promise.all(workers.map((w) => w.terminate()));
        workers.length = 0;
        return false;
      }
    },
    parse(bytes) {
      const id = next++;
      const w = workers[id % workers.length]!;
      const req: PieceRequest<Init> = { id, bytes, init: id < workers.length ? init : undefined };
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

/**
 * The worker side of `workerPool`: when this thread was started with `mark`, parse every piece
 * posted with `parse` and post the result back, transferring the buffers `transfer` names.
 */
export function servePieces<Init, Result>(mark: string, parse: PieceParser<Init, Result>, transfer: (r: Result) => ArrayBuffer[]): void {
  if (parentPort === null || workerData !== mark) return;
  const port = parentPort;
  let init: Init | undefined;
  port.on('message', (req: PieceRequest<Init>) => {
    init = req.init ?? init;
    const result = parse(init!, req.bytes);
    port.postMessage({ id: req.id, bytes: req.bytes, result }, [req.bytes.buffer as ArrayBuffer, ...transfer(result)]);
  });
  port.postMessage('ready');
}

/** Pieces parsed ahead per worker thread: enough to keep them busy, bounded memory. */
const AHEAD = 3;

/** What a format does with the pieces of one input, in input order. */
export interface PieceSteps<Init, Result> {
  /** What the pool needs to parse this file, or undefined while not known yet (CSV: before its header). */
  init(): Init | undefined;
  /** Read a piece in this thread (before `init` is known, or when the pool cannot run). */
  sequential(bytes: Uint8Array): void;
  /** Apply a piece the pool parsed; `bytes` are this thread's copy of the piece. */
  apply(bytes: Uint8Array, result: Result): void;
  /** Called after each piece (the pipeline drains finished batches). */
  afterPiece(): Promise<void>;
  /**
   * The line after the pieces applied so far is longer than MAX_LINE_CHARS (bytes, which is the
   * limit in characters for ASCII); `start` holds its first bytes. Throws the format's error.
   */
  tooLong(start: Uint8Array): never;
}

/** Chunks of at most MAX_LINE_CHARS bytes (views, no copies), so no line inside one is over the limit. */
function* bounded(chunk: Uint8Array): Generator<Uint8Array> {
  if (chunk.length <= MAX_LINE_CHARS) {
    yield chunk;
    return;
  }
  for (let at = 0; at < chunk.length; at += MAX_LINE_CHARS) yield chunk.subarray(at, at + MAX_LINE_CHARS);
}

/**
 * Cut `chunks` into pieces of whole lines, parse them on `pool` ahead of use and apply them in
 * order. Returns the bytes after the last newline (empty when the input ends with one), which
 * the caller reads sequentially. The pool is closed on return and on error.
 */
export async function readPieces<Init, Result>(
  chunks: AsyncIterable<Uint8Array>,
  pool: PiecePool<Init, Result>,
  workers: number,
  steps: PieceSteps<Init, Result>,
): Promise<Uint8Array> {
  const inflight: Promise<Parsed<Result>>[] = [];
  const buffers = new PieceBuffers();
  let parallel: boolean | undefined;
  // The partial last line, as the chunks holding it (joined once its end comes: linear time).
  let carry: Uint8Array[] = [];
  let carried = 0;
  const apply = async (parsed: Promise<Parsed<Result>>): Promise<void> => {
    const { bytes, result } = await parsed;
    steps.apply(bytes, result);
    buffers.free(bytes);
    await steps.afterPiece();
  };
  const tooLong = async (): Promise<never> => {
    while (inflight.length > 0) await apply(inflight.shift()!);
    return steps.tooLong(concat(carry, carried).subarray(0, 120));
  };
  try {
    for await (const whole of chunks) for (const chunk of bounded(whole)) {
      const nl = chunk.lastIndexOf(10);
      if (nl < 0) {
        carry.push(chunk.slice());
        carried += chunk.length;
        if (carried > MAX_LINE_CHARS) await tooLong();
        continue;
      }
      if (carried > 0 && carried + chunk.indexOf(10) > MAX_LINE_CHARS) await tooLong();
      // The piece is a copy of its own: the pool may transfer it to a worker, which detaches
      // it, and `chunk` may share its buffer with other chunks.
      const piece = buffers.join(concat(carry, carried), chunk, nl + 1);
      carry = [chunk.slice(nl + 1)];
      carried = chunk.length - nl - 1;
      if (carried > MAX_LINE_CHARS) await tooLong();
      if (parallel === undefined) {
        const init = steps.init();
        if (init !== undefined) parallel = await pool.start(init);
      }
      if (!parallel) {
        steps.sequential(piece);
        buffers.free(piece);
        await steps.afterPiece();
        continue;
      }
      const parsed = pool.parse(piece);
      parsed.catch(() => undefined); // awaited in order below; never left unhandled if ingest stops early
      inflight.push(parsed);
      while (inflight.length > AHEAD * workers) await apply(inflight.shift()!);
    }
    while (inflight.length > 0) await apply(inflight.shift()!);
  } finally {
    await pool.close();
  }
  return concat(carry, carried);
}

/** The chunks as one buffer of `n` bytes. */
function concat(parts: readonly Uint8Array[], n: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Room for a piece of one 1 MiB read plus a carried partial line, so buffers are rarely outgrown. */
const PIECE_ROOM = (1 << 20) + (1 << 16);

/**
 * Piece buffers, reused once a piece has been applied (the pool hands them back): a fresh
 * zero-filled megabyte per piece costs more in page faults and GC than copying into it.
 */
class PieceBuffers {
  private readonly spare: ArrayBuffer[] = [];

  /** `head` followed by `tail[0, n)`, in a spare buffer or a new one. */
  join(head: Uint8Array, tail: Uint8Array, n: number): Uint8Array {
    const size = head.length + n;
    let buf = this.spare.pop();
    if (buf === undefined || buf.byteLength < size) buf = new ArrayBuffer(Math.max(size, PIECE_ROOM));
    const out = new Uint8Array(buf, 0, size);
    out.set(head);
    out.set(tail.subarray(0, n), head.length);
    return out;
  }

  /** The piece was applied: its buffer can hold a later one. */
  free(piece: Uint8Array): void {
    if (this.spare.length < 16) this.spare.push(piece.buffer as ArrayBuffer);
  }
}
