/**
 * Arrow IPC input in the contract's schema (docs/design.md section 1): a validated passthrough.
 *
 * Streaming: an IPC file is the magic, an IPC stream, the footer and the magic again, so the
 * batches are read by Arrow's stream reader as the bytes arrive, and the footer (which holds the
 * final schema metadata that mmreplay's own writer fills in at the end) is decoded from the last
 * bytes, kept in a bounded tail. IPC streams (`.arrows`) are read the same way, without a footer.
 * Arrow JS writes IPC files without the stream's leading schema message (the schema is only in the
 * footer); such files are decoded under the contract's schema, and the footer's schema is checked
 * against it at the end.
 *
 * Checked: column types (ts/addr/len/arg Float64, pid/tid Int32, op a dictionary of strings), no
 * nulls, every number an integer in range (0 <= v < 2^53; pid, tid >= 0), op names known. The op
 * dictionary is mapped BY NAME, batch by batch, since other producers order it differently.
 * `obs_*` rows carry ids into the input's `observations.objects`; they are shifted onto the
 * output's object table, which gets the input's table appended whole.
 */
import { DataType, MessageHeader, MessageReader, Precision, RecordBatchReader, Table, tableToIPC, type RecordBatch, type Schema, type Vector } from 'apache-arrow';
import { Footer } from 'apache-arrow/ipc/metadata/file';
import { CorruptMessage, MessageGuard } from './arrow_guard.js';
import { arrowKind } from './detect.js';
import type { ReaderContext } from './reader.js';
import { eventSchema } from './arrow_schema.js';
import { FIRST_OBSERVATION_OP, MAX_VALUE, MAX_VALUE_TEXT, META, OPS, opCode } from './schema.js';
import type { ValidatingSink } from './validate.js';
import { InputError } from '../util/errors.js';

/** Bytes of the input's end kept to find the footer: enough for ~600k record batches. */
const TAIL_KEEP = 16 * 1024 * 1024;

/** Metadata and object table found in an Arrow input, returned to the pipeline. */
export interface ArrowInputInfo {
  /** The input's schema metadata (from the footer of an IPC file when present). */
  metadata: Map<string, string>;
  rows: number;
}

/** Keeps the most recent chunks, at least `keep` bytes of them. */
class Tail {
  private chunks: Uint8Array[] = [];
  private bytes = 0;
  add(c: Uint8Array): void {
    this.chunks.push(c);
    this.bytes += c.length;
    while (this.chunks.length > 1 && this.bytes - this.chunks[0]!.length >= TAIL_KEEP) this.bytes -= this.chunks.shift()!.length;
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.bytes);
    let o = 0;
    for (const c of this.chunks) { out.set(c, o); o += c.length; }
    return out;
  }
}

/**
 * Feed `it` to Arrow's reader, without the file magic; manual next() so the reader never closes
 * `it`. Each message's metadata is bounds-checked first (arrow_guard.ts): Arrow trusts it.
 */
async function* feed(it: AsyncIterator<Uint8Array>, skip: number, tail: Tail, prefix?: Uint8Array): AsyncGenerator<Uint8Array> {
  const guard = new MessageGuard();
  if (prefix !== undefined) yield prefix;
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    tail.add(r.value);
    let c = r.value;
    if (skip > 0) {
      const n = Math.min(skip, c.length);
      c = c.subarray(n);
      skip -= n;
    }
    guard.push(c);
    if (c.length > 0) yield c;
  }
}

/** True when `bytes` start with an IPC Schema message. */
function startsWithSchema(bytes: Uint8Array): boolean {
  try {
    return new MessageReader(bytes).next().value?.headerType === MessageHeader.Schema;
  } catch {
    return false;
  }
}

/** The contract's schema as an IPC stream Schema message (the stream without its end marker). */
function contractSchemaMessage(): Uint8Array {
  const stream = tableToIPC(new Table(eventSchema()), 'stream');
  return stream.subarray(0, stream.length - 8);
}

/** The footer of an IPC file (from its last bytes): its schema and how many record batches it lists; undefined when there is none. */
function readFooter(bytes: Uint8Array): { schema: Schema; batches: number } | undefined {
  const n = bytes.length;
  if (n < 10 || arrowKind(bytes.subarray(n - 6)) !== 'file') return undefined;
  const len = new DataView(bytes.buffer, bytes.byteOffset + n - 10, 4).getInt32(0, true);
  if (len <= 0 || len + 10 > n) return undefined;
  try {
    const footer = Footer.decode(bytes.subarray(n - 10 - len, n - 10));
    return { schema: footer.schema, batches: footer.numRecordBatches };
  } catch {
    return undefined;
  }
}

const EOS = [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0];

/** True when `bytes` end with the IPC stream's end-of-stream marker (a continuation marker and a zero length). */
function endsWithEos(bytes: Uint8Array): boolean {
  const n = bytes.length;
  return n >= 8 && EOS.every((b, i) => bytes[n - 8 + i] === b);
}

/** Read one Arrow input (`head`: its first bytes, also at the start of `bytes`) into the validating sink; `afterBatch` lets the pipeline drain finished batches. */
export async function readArrowInput(
  ctx: ReaderContext & { events: ValidatingSink },
  head: Uint8Array,
  bytes: AsyncIterable<Uint8Array>,
  afterBatch: () => Promise<void> = async () => undefined,
): Promise<ArrowInputInfo> {
  const kind = arrowKind(head);
  const tail = new Tail();
  const it = bytes[Symbol.asyncIterator]();
  const check = new ArrowChecker(ctx, ctx.events.objectCount);
  let schemaMeta = new Map<string, string>();
  const assumed = kind === 'file' && !startsWithSchema(head.subarray(8));
  let batches = 0;
  try {
    const reader = await RecordBatchReader.from(feed(it, kind === 'file' ? 8 : 0, tail, assumed ? contractSchemaMessage() : undefined));
    await reader.open();
    schemaMeta = reader.schema.metadata;
    check.schema(reader.schema);
    for await (const batch of reader) {
      batches++;
      check.batch(batch);
      await afterBatch();
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    if (err instanceof CorruptMessage) {
      throw new InputError({ code: 'bad-arrow', stage: 'ingest', file: ctx.file, expected: `an Arrow IPC ${kind}; after ${batches} record batches (${check.rows} rows) it holds a corrupt message (${err.message})` });
    }
    const message = err instanceof Error ? err.message : String(err);
    if (/^Expected to read \d+ .*bytes/.test(message)) {
      check.truncated(`a whole Arrow IPC ${kind}; it stops in the middle of a message after ${batches} record batches (${check.rows} rows): it was cut short (${message})`);
    }
    throw new InputError({ code: 'bad-arrow', stage: 'ingest', file: ctx.file,
      expected: `an Arrow IPC file or stream (${err instanceof Error ? err.message : String(err)})` });
  }
  for (let r = await it.next(); !r.done; r = await it.next()) tail.add(r.value);
  const end = tail.concat();
  // A reader stops quietly where the bytes stop: only the end of the input tells a cut file.
  const f = kind === 'file' ? readFooter(end) : undefined;
  if (kind === 'file' && f === undefined) {
    check.truncated(`an Arrow IPC file ending in its footer and the ARROW1 magic; this one stops after ${batches} record batches (${check.rows} rows) without them: it was cut short (a copy or download that did not finish?)`);
  } else if (f !== undefined && f.batches !== batches && !(f.batches === 0 && batches === 1 && check.rows === 0)) {
    // (A stream of no batches reads as one empty placeholder batch: that is an empty file, not a cut one.)
    check.truncated(`an Arrow IPC file whose footer lists the record batches it holds; the footer lists ${f.batches} record batches, the file holds ${batches}: it was cut or spliced`);
  } else if (kind === 'stream' && !endsWithEos(end)) {
    check.truncated(`an Arrow IPC stream ending with its end-of-stream marker; this one stops after ${batches} record batches (${check.rows} rows) without it: it was cut short`);
  }
  const footer = f?.schema;
  if (assumed && footer !== undefined) check.sameAsContract(footer);
  const metadata = footer?.metadata ?? schemaMeta;
  check.objects(metadata.get(META.observedObjects));
  ctx.counters.add('rows_read', check.rows);
  return { metadata, rows: check.rows };
}

/** Column checks and the row loop of one Arrow input. */
class ArrowChecker {
  rows = 0;
  private maxObjectId = -1;
  private dict: Vector | undefined;
  private codes = new Int8Array(0);

  constructor(private readonly ctx: ReaderContext & { events: ValidatingSink }, private readonly objectBase: number) {}

  schema(s: Schema): void {
    const want: Record<string, [(t: DataType) => boolean, string]> = {
      ts: [isFloat64, 'Float64'], pid: [isInt32, 'Int32'], tid: [isInt32, 'Int32'],
      op: [(t) => DataType.isDictionary(t) && (DataType.isUtf8(t.dictionary) || DataType.isLargeUtf8(t.dictionary)), 'Dictionary<Int8, Utf8>'],
      addr: [isFloat64, 'Float64'], len: [isFloat64, 'Float64'], arg: [isFloat64, 'Float64'],
    };
    for (const [name, [ok, expected]] of Object.entries(want)) {
      const f = s.fields.find((x) => x.name === name);
      if (f === undefined) this.fail('missing-columns', name, `a column ${name} of type ${expected}`);
      else if (!ok(f.type)) this.fail('bad-column-type', `${name}: ${String(f.type)}`, `column ${name} of type ${expected}`);
    }
  }

  /** A file decoded under the contract's schema must have declared exactly that schema. */
  sameAsContract(footer: Schema): void {
    const want = eventSchema().fields;
    const same = footer.fields.length === want.length && footer.fields.every((f, i) => f.name === want[i]!.name && String(f.type) === String(want[i]!.type));
    if (!same) {
      this.fail('bad-column-type', footer.fields.map((f) => `${f.name}: ${String(f.type)}`).join(', '),
        `the contract's columns in order (${want.map((f) => `${f.name}: ${String(f.type)}`).join(', ')}); this file has no leading schema message, so it can only be read in exactly that layout`);
    }
  }

  batch(b: RecordBatch): void {
    const col = (name: string): Vector => {
      const v = b.getChild(name)!;
      if (v.nullCount > 0) {
        // (a corrupt file may count nulls its validity bitmap does not hold: the search is bounded)
        let i = 0;
        while (i < v.length && v.isValid(i)) i++;
        this.fail('null-value', `${name}=null`, `column ${name} without nulls`, this.rows + Math.min(i, Math.max(0, v.length - 1)));
      }
      return v;
    };
    const ts = col('ts').toArray() as Float64Array, addr = col('addr').toArray() as Float64Array;
    const len = col('len').toArray() as Float64Array, arg = col('arg').toArray() as Float64Array;
    const pid = col('pid').toArray() as Int32Array, tid = col('tid').toArray() as Int32Array;
    const opData = col('op').data[0]!;
    if (opData.dictionary !== this.dict) this.mapDictionary(opData.dictionary!);
    const idx = opData.values.subarray(opData.offset, opData.offset + b.numRows) as ArrayLike<number>;
    const sink = this.ctx.events;
    for (let i = 0; i < b.numRows; i++) {
      const row = this.rows + i;
      const op = this.codes[idx[i]!] ?? -1;
      if (op < 0) { this.error('unknown-op', row, String(this.dict!.get(idx[i]!)), `column op: one of ${OPS.join(', ')}`); continue; }
      const t = ts[i]!, a = addr[i]!, l = len[i]!, g = arg[i]!;
      if (!inRange(t)) { this.badValue(row, 'ts', t); continue; }
      if (!inRange(a)) { this.badValue(row, 'addr', a); continue; }
      if (!inRange(l)) { this.badValue(row, 'len', l); continue; }
      if (!inRange(g)) { this.badValue(row, 'arg', g); continue; }
      if (pid[i]! < 0 || tid[i]! < 0) { this.error('bad-number', row, `pid=${pid[i]} tid=${tid[i]}`, 'pid and tid >= 0'); continue; }
      let objectAddr = a;
      if (op >= FIRST_OBSERVATION_OP) {
        if (a > this.maxObjectId) this.maxObjectId = a;
        objectAddr = a + this.objectBase;
      }
      sink.push(t, pid[i]!, tid[i]!, op, objectAddr, l, g, row);
    }
    this.rows += b.numRows;
  }

  /** Append the input's object table; every obs_* id must index it. */
  objects(json: string | undefined): void {
    let list: unknown = [];
    try {
      list = json === undefined ? [] : JSON.parse(json);
    } catch { /* reported below */ }
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
      this.fail('bad-metadata', String(json), `${META.observedObjects}: a JSON array of strings`);
    }
    const texts = list as string[];
    if (this.maxObjectId >= texts.length) {
      // e.g. a table that went through CSV, which cannot carry the object table: keep the ids.
      this.ctx.counters.add('obs_unknown_object');
      this.ctx.issues.warn({ code: 'unknown-object', stage: 'ingest', file: this.ctx.file, text: `addr=${this.maxObjectId}`,
        expected: `obs_* rows' addr indexing the ${texts.length} entries of ${META.observedObjects}; object names are unknown` });
    }
    this.ctx.events.appendObjects(texts);
  }

  private mapDictionary(dict: Vector): void {
    this.dict = dict;
    this.codes = new Int8Array(dict.length);
    for (let i = 0; i < dict.length; i++) this.codes[i] = opCode(String(dict.get(i)));
  }

  private badValue(row: number, column: string, v: number): void {
    this.error(v >= MAX_VALUE ? 'number-too-big' : 'bad-number', row, `${column}=${v}`,
      `column ${column}: an integer >= 0 below the limit ${MAX_VALUE_TEXT}`);
  }

  private error(code: string, row: number, text: string, expected: string): void {
    this.ctx.issues.error({ code, stage: 'ingest', file: this.ctx.file, row, text, expected });
  }

  /** The input ends before it should. */
  truncated(expected: string): never {
    this.fail('truncated-arrow', undefined, expected);
  }

  private fail(code: string, text: string | undefined, expected: string, row?: number): never {
    throw new InputError({ code, stage: 'ingest', file: this.ctx.file, row, text, expected });
  }
}

function isFloat64(t: DataType): boolean {
  return DataType.isFloat(t) && t.precision === Precision.DOUBLE;
}

function isInt32(t: DataType): boolean {
  return DataType.isInt(t) && t.bitWidth === 32 && t.isSigned;
}

function inRange(v: number): boolean {
  return v >= 0 && v < MAX_VALUE && Math.floor(v) === v;
}
