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
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { RecordBatch } from 'apache-arrow';
import { readArrowInput } from './arrow_input.js';
import { EventBatchBuilder } from './batch.js';
import { createCsvReader } from './csv.js';
import { readCsvParallel, workerPool, type CsvPiecePool } from './csv_parallel.js';
import { SNIFF_BYTES, arrowKind, detectFormat, isGzip, type InputFormat } from './detect.js';
import { createFtraceReader } from './ftrace.js';
import { createLackeyReader } from './lackey.js';
import { createPerfReader } from './perf.js';
import { readTraceParallel, tracePools, type TracePiecePool } from './trace_parallel.js';
import type { TraceTextReader } from './trace_text_reader.js';
import { IssueList, type ReaderContext, type ReaderOptions, type SourceFormat, type TraceReader } from './reader.js';
import { BATCH_ROWS, FORMAT_VERSION, META } from './schema.js';
import { ChunkDecoder, endDecoded, pushDecoded } from './text_decode.js';
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
  /** Worker threads parsing CSV, perf and ftrace pieces (default 0: everything is parsed in this thread). */
  workers?: number;
  /** Where CSV pieces are parsed when `workers` > 0 (default: a pool of worker threads). */
  csvPool?: (workers: number) => CsvPiecePool;
  /**
   * Where perf and ftrace pieces are parsed: by default a pool of worker threads when `workers`
   * > 0, else this thread (page faults are read from the bytes either way, trace_worker.ts).
   * `null`: every line is decoded and read as text in this thread (the reference the piece path
   * matches, for tests).
   */
  tracePool?: ((workers: number) => TracePiecePool) | null;
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
  /** The table's schema metadata (docs/design.md section 1). */
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
    case 'perf': case 'ftrace': return traceReader(format, ctx);
    case 'arrow': throw new Error('arrow is not a text format');
  }
}

/** The reader of a recorded kernel trace format, which can also take worker-parsed pieces. */
function traceReader(format: 'perf' | 'ftrace', ctx: ReaderContext): TraceTextReader {
  return format === 'perf' ? createPerfReader(ctx) : createFtraceReader(ctx);
}

/** An input opened for reading: its (decompressed) first bytes, all its bytes, and its tally. */
interface OpenedInput {
  head: Uint8Array;
  all: AsyncIterable<Uint8Array>;
  gzip: boolean;
  tally: { hash: ReturnType<typeof createHash>; bytes: number };
}

const CR = 13, LF = 10;

/**
 * True when the first line of `head` ends with a lone CR (classic Mac line ends, or `tr '\n'
 * '\r'`): the input is then read with every CR as a line end. LF and CRLF inputs are read as
 * they are (the readers take `\r\n` as a line end).
 */
export function crLineEnds(head: Uint8Array): boolean {
  const cr = head.indexOf(CR);
  if (cr < 0) return false;
  const lf = head.indexOf(LF);
  return (lf < 0 || cr < lf) && head[cr + 1] !== LF;
}

/** `chunks` with every CR turned into LF (each chunk copied: chunks may share buffers with the head). */
async function* crToLf(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const c of chunks) {
    const out = Buffer.from(c);
    for (let i = out.indexOf(CR); i >= 0; i = out.indexOf(CR, i + 1)) out[i] = LF;
    yield out;
  }
}

/** Hash the bytes as given, gunzip if they are gzip, and peek at enough to sniff the format; CR line ends become LF. */
async function openInput(source: IngestSource): Promise<OpenedInput> {
  const tally = { hash: createHash('sha256'), bytes: 0 };
  let { head, all } = await peek(hashing(source.chunks, tally)[Symbol.asyncIterator](), 8);
  const gzip = isGzip(head);
  ({ head, all } = await peek((gzip ? gunzip(all, source.name) : all)[Symbol.asyncIterator](), SNIFF_BYTES));
  if (arrowKind(head) === undefined && crLineEnds(head)) {
    all = crToLf(all);
    head = Buffer.from(head).map((b) => (b === CR ? LF : b));
  }
  return { head, all, gzip, tally };
}

/** Stream a text input through its format's reader, draining batches after each chunk; returns the lines read. */
async function readText(reader: TraceReader, all: AsyncIterable<Uint8Array>, drain: () => Promise<void>): Promise<number> {
  const decoder = new ChunkDecoder();
  for await (const chunk of all) {
    pushDecoded(reader, decoder, chunk);
    await drain();
  }
  endDecoded(reader, decoder);
  return reader.linesRead;
}

/** Text inputs of at least this many lines warn when fewer than 1 in FEW_ROWS_RATIO of their lines gave a row. */
const FEW_ROWS_MIN_LINES = 100;
const FEW_ROWS_RATIO = 100;

/** What a text input that read without errors yielded: no event at all is an error, far fewer rows than lines a warning. */
function checkYield(file: string, format: SourceFormat, lines: number, records: number, rows: number, issues: IssueList): void {
  if (records === 0 && format !== 'csv' && issues.errors.length === 0) {
    const what = format === 'lackey' ? 'valgrind lackey records (I, L, S, M lines; run valgrind with --tool=lackey --trace-mem=yes)' : `${format === 'perf' ? 'perf script' : 'ftrace'} event lines`;
    throw new InputError({ code: 'no-events', stage: 'ingest', file, expected: `${what}; this input has none (${lines === 0 ? 'it is empty' : `${lines} lines of comments, blanks or chatter`})` });
  }
  if (lines >= FEW_ROWS_MIN_LINES && rows * FEW_ROWS_RATIO < lines) {
    issues.warn({ code: 'few-rows', stage: 'ingest', file,
      expected: `more rows from ${lines} lines than ${rows}: nearly every line was skipped (see the skipped counters: mmreplay inspect); is this ${format} text, with the line ends it seems to have?` });
  }
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
    const rowsBefore = sink.events + sink.observations;
    const recordsBefore = counters.get('rows_read');
    let lines = 0;
    if (format === 'arrow') metadata = (await readArrowInput({ ...ctx, events: sink }, head, all, drain)).metadata;
    else if (format === 'csv' && workers > 0) lines = await readCsvParallel(ctx, all, (options.csvPool ?? workerPool)(workers), workers, drain);
    else if ((format === 'perf' || format === 'ftrace') && options.tracePool !== null) {
      const pool = workers > 0 ? (options.tracePool ?? tracePools.workers)(workers) : tracePools.inline();
      const reader = traceReader(format, ctx);
      await readTraceParallel(reader, all, pool, Math.max(workers, 1), drain);
      lines = reader.linesRead;
    }
    else lines = await readText(textReader(format, ctx, sink), all, drain);
    if (format !== 'arrow') checkYield(source.name, format, lines, counters.get('rows_read') - recordsBefore, sink.events + sink.observations - rowsBefore, issues);
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
