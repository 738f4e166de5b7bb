/**
 * The ingest pipeline: byte chunks in, validated Arrow record batches out. Library code: inputs
 * are async iterables of bytes with display names, batches go to a callback, problems come back
 * as typed issues and counters; no fs, process or console here (the CLI opens files and writes).
 *
 * Per input: hash the bytes as given (`source.sha256`), gunzip when they start with the gzip
 * magic, decide the format from the content (`--format auto`) or take the one given, then stream
 * through that format's reader into one ValidatingSink and EventBatchBuilder shared by all
 * inputs, so several inputs are concatenated in order and validated as one trace. Ingest keeps
 * going past errors to report up to MAX_REPORTED_ERRORS of them, then throws an InputError.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { RecordBatch } from 'apache-arrow';
import { readArrowInput } from './arrow_input.js';
import { EventBatchBuilder } from './batch.js';
import { createCsvReader } from './csv.js';
import { readCsvParallel, workerPool, type CsvPiecePool } from './csv_parallel.js';
import { SNIFF_BYTES, detectFormat, isGzip, type InputFormat } from './detect.js';
import { createFtraceReader } from './ftrace.js';
import { createLackeyReader } from './lackey.js';
import { createPerfReader } from './perf.js';
import { IssueList, type ReaderContext, type ReaderOptions, type SourceFormat, type TraceReader } from './reader.js';
import { BATCH_ROWS, FORMAT_VERSION, META } from './schema.js';
import { ValidatingSink } from './validate.js';
import { Counters } from '../util/diagnostics.js';
import { InputError, type InputIssue } from '../util/errors.js';

/** One input: a display name (used in messages and `source.path`) and its bytes. */
export interface IngestSource {
  name: string;
  chunks: AsyncIterable<Uint8Array>;
}

/** Options of one ingest run. */
export interface IngestOptions extends ReaderOptions {
  /** `auto` (default) decides per input from its content. */
  format?: InputFormat;
  /** Receives each finished record batch, in order; awaited (backpressure). */
  onBatch: (batch: RecordBatch) => void | Promise<void>;
  /** Rows per batch (default BATCH_ROWS). */
  batchRows?: number;
  /** Worker threads parsing CSV pieces (default 0: CSV is parsed in this thread). */
  workers?: number;
  /** Where CSV pieces are parsed when `workers` > 0 (default: a pool of worker threads). */
  csvPool?: (workers: number) => CsvPiecePool;
}

/** What was read from one input. */
export interface IngestedInput {
  name: string;
  format: SourceFormat;
  gzip: boolean;
  /** Bytes as given (before decompression) and their sha256 in hex. */
  bytes: number;
  sha256: string;
  /** Schema metadata of an Arrow input (its own source and counters); empty for text. */
  metadata: Map<string, string>;
}

/** The outcome of a successful ingest run. */
export interface IngestResult {
  /** Rows written: replayable events plus observations. */
  rows: number;
  events: number;
  observations: number;
  counters: Counters;
  warnings: InputIssue[];
  inputs: IngestedInput[];
  /** Observed object texts by id (`observations.objects`). */
  objects: string[];
  /** The table's schema metadata (DESIGN.md section 1). */
  metadata: Map<string, string>;
}

/** Byte chunks that hash and count themselves as they pass. */
async function* hashing(chunks: AsyncIterable<Uint8Array>, into: { hash: ReturnType<typeof createHash>; bytes: number }): AsyncGenerator<Uint8Array> {
  for await (const c of chunks) {
    into.hash.update(c);
    into.bytes += c.length;
    yield c;
  }
}

/** Read at least `want` bytes (or all) from `it`; returns them and an iterable of everything. */
async function peek(it: AsyncIterator<Uint8Array>, want: number): Promise<{ head: Uint8Array; all: AsyncIterable<Uint8Array> }> {
  const first: Uint8Array[] = [];
  let n = 0;
  let done = false;
  while (n < want) {
    const r = await it.next();
    if (r.done) { done = true; break; }
    first.push(r.value);
    n += r.value.length;
  }
  const head = first.length === 1 ? first[0]! : Buffer.concat(first);
  async function* all(): AsyncGenerator<Uint8Array> {
    yield* first;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { head, all: all() };
}

/** Decompress a gzip byte stream; corrupt data becomes an InputError naming the file. */
async function* gunzip(chunks: AsyncIterable<Uint8Array>, file: string): AsyncGenerator<Uint8Array> {
  const gz = createGunzip({ chunkSize: 256 * 1024 });
  const input = Readable.from(chunks, { objectMode: false });
  input.on('error', (e) => gz.destroy(e));
  input.pipe(gz);
  try {
    for await (const c of gz) yield c as Uint8Array;
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (!code.startsWith('Z_')) throw err;
    throw new InputError({ code: 'bad-gzip', stage: 'ingest', file, expected: `a complete gzip stream (${(err as Error).message})` });
  }
}

/** The text reader for a format. */
function textReader(format: SourceFormat, ctx: ReaderContext, sink: ValidatingSink): TraceReader {
  switch (format) {
    case 'csv': return createCsvReader(ctx);
    case 'lackey': return createLackeyReader(ctx, sink.maxTs + 1);
    case 'perf': return createPerfReader(ctx);
    case 'ftrace': return createFtraceReader(ctx);
    case 'arrow': throw new Error('arrow is not a text format');
  }
}

/** An input opened for reading: its (decompressed) first bytes, all its bytes, and its tally. */
interface OpenedInput {
  head: Uint8Array;
  all: AsyncIterable<Uint8Array>;
  gzip: boolean;
  tally: { hash: ReturnType<typeof createHash>; bytes: number };
}

/** Hash the bytes as given, gunzip if they are gzip, and peek at enough to sniff the format. */
async function openInput(source: IngestSource): Promise<OpenedInput> {
  const tally = { hash: createHash('sha256'), bytes: 0 };
  let { head, all } = await peek(hashing(source.chunks, tally)[Symbol.asyncIterator](), 8);
  const gzip = isGzip(head);
  ({ head, all } = await peek((gzip ? gunzip(all, source.name) : all)[Symbol.asyncIterator](), SNIFF_BYTES));
  return { head, all, gzip, tally };
}

/**
 * Bytes to text, as one streaming UTF-8 TextDecoder would decode them, but with a fast path for
 * all-ASCII chunks (nearly every trace): `isAscii` is a native SIMD check and a latin1 slice of
 * ASCII bytes equals their UTF-8 decoding, at several times the speed of TextDecoder. Other
 * chunks go through the decoder, and so does the chunk after one of them, so a multi-byte
 * sequence split across chunks is decoded (or replaced) exactly as before. The decoder is
 * created on first use; when ASCII text went before, it keeps a BOM (`ignoreBOM`), as a decoder
 * past the start of its stream does.
 */
export class ChunkDecoder {
  private decoder: InstanceType<typeof TextDecoder> | undefined;
  /** The last chunk went through the decoder, which may hold a partial sequence. */
  private pending = false;
  private started = false;

  decode(chunk: Uint8Array): string {
    if (!this.pending && isAscii(chunk)) {
      if (chunk.length > 0) this.started = true;
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      return buf.toString('latin1');
    }
    this.decoder ??= new TextDecoder('utf-8', { ignoreBOM: this.started });
    const text = this.decoder.decode(chunk, { stream: true });
    if (chunk.length > 0) {
      this.started = true;
      // an ASCII chunk ends any partial sequence the decoder held
      this.pending = !isAscii(chunk);
    }
    return text;
  }

  /** What the decoder still holds at the end of the input (a replacement character, or ''). */
  end(): string {
    return this.decoder === undefined ? '' : this.decoder.decode();
  }
}

/**
 * Bytes decoded at a time. Node makes strings decoded from more than about 1 MB external
 * (outside the V8 heap), and character access on those is markedly slower in the parsers.
 */
const DECODE_PIECE = 512 * 1024;

/** Stream a text input through its format's reader, draining batches after each chunk. */
async function readText(reader: TraceReader, all: AsyncIterable<Uint8Array>, drain: () => Promise<void>): Promise<void> {
  const decoder = new ChunkDecoder();
  for await (const chunk of all) {
    for (let at = 0; at < chunk.length; at += DECODE_PIECE) reader.push(decoder.decode(chunk.subarray(at, at + DECODE_PIECE)));
    await drain();
  }
  const rest = decoder.end();
  if (rest.length > 0) reader.push(rest);
  reader.end();
}

/** Ingest `sources` in order into one validated event table, batch by batch. */
export async function ingest(sources: readonly IngestSource[], options: IngestOptions): Promise<IngestResult> {
  const counters = new Counters();
  const issues = new IssueList();
  const pending: RecordBatch[] = [];
  const builder = new EventBatchBuilder((b) => pending.push(b), options.batchRows ?? BATCH_ROWS);
  const sink = new ValidatingSink(builder, issues);
  const drain = async (): Promise<void> => {
    while (pending.length > 0) await options.onBatch(pending.shift()!);
  };
  const inputs: IngestedInput[] = [];
  for (const source of sources) {
    const { head, all, gzip, tally } = await openInput(source);
    const format = options.format === undefined || options.format === 'auto' ? detectFormat(head, source.name) : options.format;
    if (format === undefined) {
      throw new InputError({ code: 'unknown-format', stage: 'ingest', file: source.name, text: firstLine(head),
        expected: 'a CSV with a header, perf script or ftrace text, valgrind lackey output, or Arrow IPC; or name the format with --format' });
    }
    const ctx: ReaderContext = { file: source.name, events: sink, counters, issues, options: { pid: options.pid } };
    const workers = options.workers ?? 0;
    let metadata = new Map<string, string>();
    sink.beginFile(source.name, format === 'arrow' ? 'row' : 'line');
    if (format === 'arrow') metadata = (await readArrowInput({ ...ctx, events: sink }, head, all, drain)).metadata;
    else if (format === 'csv' && workers > 0) await readCsvParallel(ctx, all, (options.csvPool ?? workerPool)(workers), workers, drain);
    else await readText(textReader(format, ctx, sink), all, drain);
    await drain();
    inputs.push({ name: source.name, format, gzip, bytes: tally.bytes, sha256: tally.hash.digest('hex'), metadata });
  }
  builder.flush();
  issues.throwIfAny();
  await drain();
  counters.add('events_written', sink.events);
  counters.add('observations_written', sink.observations);
  return {
    rows: builder.rows, events: sink.events, observations: sink.observations, counters,
    warnings: issues.warnings, inputs, objects: sink.objects,
    metadata: tableMetadata(inputs, counters, sink.objects),
  };
}

/**
 * Schema metadata of the table. `source.*` are plain strings for one input; for several, JSON
 * arrays in input order (`source.format` then lists each input's format).
 */
export function tableMetadata(inputs: readonly IngestedInput[], counters: Counters, objects: readonly string[]): Map<string, string> {
  const one = (pick: (i: IngestedInput) => string): string =>
    inputs.length === 1 ? pick(inputs[0]!) : JSON.stringify(inputs.map(pick));
  return new Map([
    [META.formatVersion, FORMAT_VERSION],
    [META.sourceFormat, one((i) => i.format)],
    [META.sourcePath, one((i) => i.name)],
    [META.sourceSha256, one((i) => i.sha256)],
    [META.counters, JSON.stringify(counters.toJSON())],
    [META.observedObjects, JSON.stringify(objects)],
  ]);
}

function firstLine(head: Uint8Array): string {
  const text = new TextDecoder('utf-8').decode(head.subarray(0, 200));
  return text.split('\n')[0] ?? '';
}
