/**
 * `events.arrow` (docs/design.md section 5): one row per replayed event per policy, written as an
 * Arrow IPC file in record batches while the replay runs, so memory does not grow with it.
 * Columns: policy, row, tid, op, path, outcome, start_ns, end_ns, latency_ns, retries (with
 * `--unit cycles`: start_cycles, end_cycles, latency_cycles). Times are integers.
 */
import {
  Data, Dictionary, Field, Float64, Int32, Int8, RecordBatch, Schema, Struct, Utf8,
  makeData, vectorFromArray, type Vector,
} from 'apache-arrow';
import { ArrowIpcFileWriter } from '../ingest/arrow_ipc.js';
import { OPS } from '../ingest/schema.js';
import type { ByteSink } from '../util/byte_sink.js';
import type { EventRecorder } from '../replay/result.js';
import type { TimeUnit } from './columns.js';

const BATCH = 65536;
const OUTCOMES = ['ok', 'sigsegv', 'violation'];

/**
 * Streams replayed events as an Arrow IPC file into a ByteSink (the CLI's atomic file); every
 * byte has reached the sink when `finish()` resolves. A sink failure stops the replay at the next
 * batch (`event` throws it).
 */
export class EventsArrowWriter implements EventRecorder {
  private readonly ipc: ArrowIpcFileWriter;
  private readonly schema: Schema;
  private readonly policyDict: Vector<Utf8>;
  private readonly opDict: Vector<Utf8>;
  private readonly outcomeDict: Vector<Utf8>;
  private readonly pathBytes = new Map<string, Uint8Array>();
  private readonly enc = new TextEncoder();
  private readonly scale: number;
  private policyIndex = 0;
  private n = 0;
  rows = 0;
  private policyCol = new Int8Array(BATCH);
  private rowCol = new Int32Array(BATCH);
  private tidCol = new Int32Array(BATCH);
  private opCol = new Int8Array(BATCH);
  private outcomeCol = new Int8Array(BATCH);
  private startCol = new Float64Array(BATCH);
  private endCol = new Float64Array(BATCH);
  private latCol = new Float64Array(BATCH);
  private retriesCol = new Int32Array(BATCH);
  private paths: Uint8Array[] = new Array<Uint8Array>(BATCH);

  constructor(sink: ByteSink, policies: readonly string[], unit: TimeUnit, cpuGhz: number) {
    const t = unit === 'ns' ? '_ns' : '_cycles';
    this.scale = unit === 'ns' ? 1 / cpuGhz : 1;
    const dict = (id: number) => new Dictionary(new Utf8(), new Int8(), id, false);
    this.schema = new Schema([
      new Field('policy', dict(0), false), new Field('row', new Int32(), false), new Field('tid', new Int32(), false),
      new Field('op', dict(1), false), new Field('path', new Utf8(), false), new Field('outcome', dict(2), false),
      new Field(`start${t}`, new Float64(), false), new Field(`end${t}`, new Float64(), false),
      new Field(`latency${t}`, new Float64(), false), new Field('retries', new Int32(), false),
    ]);
    this.policyDict = vectorFromArray([...policies], new Utf8());
    this.opDict = vectorFromArray([...OPS], new Utf8());
    this.outcomeDict = vectorFromArray(OUTCOMES, new Utf8());
    this.ipc = new ArrowIpcFileWriter(sink, this.schema);
  }

  policy(index: number): void {
    this.policyIndex = index;
  }

  event(row: number, tid: number, op: number, path: string, outcome: string, startCycles: number, endCycles: number, retries: number): void {
    const i = this.n;
    this.policyCol[i] = this.policyIndex;
    this.rowCol[i] = row;
    this.tidCol[i] = tid;
    this.opCol[i] = op;
    this.outcomeCol[i] = outcome === 'ok' ? 0 : outcome === 'sigsegv' ? 1 : 2;
    const s = Math.round(startCycles * this.scale);
    const e = Math.round(endCycles * this.scale);
    this.startCol[i] = s;
    this.endCol[i] = e;
    this.latCol[i] = e - s;
    this.retriesCol[i] = retries;
    let b = this.pathBytes.get(path);
    if (b === undefined) {
      b = this.enc.encode(path);
      this.pathBytes.set(path, b);
    }
    this.paths[i] = b;
    this.rows++;
    if (++this.n === BATCH) this.emit();
  }

  /** Hand the buffered rows to the writer as one batch. */
  private emit(force = false): void {
    const n = this.n;
    if (n === 0 && !force) return;
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += this.paths[i]!.length;
    const offsets = new Int32Array(n + 1);
    const data = new Uint8Array(bytes);
    let at = 0;
    for (let i = 0; i < n; i++) {
      data.set(this.paths[i]!, at);
      at += this.paths[i]!.length;
      offsets[i + 1] = at;
    }
    const dictData = (type: Dictionary, values: Int8Array, dictionary: Vector<Utf8>) =>
      makeData({ type, length: n, nullCount: 0, data: values.slice(0, n), dictionary });
    const f = this.schema.fields;
    const children: Data[] = [
      dictData(f[0]!.type as Dictionary, this.policyCol, this.policyDict),
      makeData({ type: new Int32(), length: n, nullCount: 0, data: this.rowCol.slice(0, n) }),
      makeData({ type: new Int32(), length: n, nullCount: 0, data: this.tidCol.slice(0, n) }),
      dictData(f[3]!.type as Dictionary, this.opCol, this.opDict),
      makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data }),
      dictData(f[5]!.type as Dictionary, this.outcomeCol, this.outcomeDict),
      makeData({ type: new Float64(), length: n, nullCount: 0, data: this.startCol.slice(0, n) }),
      makeData({ type: new Float64(), length: n, nullCount: 0, data: this.endCol.slice(0, n) }),
      makeData({ type: new Float64(), length: n, nullCount: 0, data: this.latCol.slice(0, n) }),
      makeData({ type: new Int32(), length: n, nullCount: 0, data: this.retriesCol.slice(0, n) }),
    ];
    const struct = makeData({ type: new Struct(f), length: n, nullCount: 0, children });
    this.ipc.push(new RecordBatch(this.schema, struct));
    this.n = 0;
  }

  async flush(): Promise<void> {
    this.emit();
    await this.ipc.drain();
  }

  /** Write the last batch and the footer. */
  async finish(): Promise<void> {
    // An empty replay still writes a valid file with the schema (one empty batch).
    this.emit(this.rows === 0);
    await this.ipc.finish();
  }

  async abort(): Promise<void> {
    await this.ipc.abort();
  }
}
