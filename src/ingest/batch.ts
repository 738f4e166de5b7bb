/**
 * Columnar accumulation of events into Arrow record batches. Readers push plain numbers; every
 * BATCH_ROWS rows a RecordBatch is built directly over the typed arrays (no Arrow builders, no
 * per-row objects) and handed to the sink.
 */
import { Data, Float64, Int32, RecordBatch, Schema, Struct, Utf8, Vector, makeData, vectorFromArray } from 'apache-arrow';
import { eventSchema, opDictionaryType } from './arrow_schema.js';
import { BATCH_ROWS, OPS, type EventRow } from './schema.js';
import { allocColumns, type EventColumnArrays } from './columns.js';

export { allocColumns, type EventColumnArrays } from './columns.js';

/** Receives finished batches in order. */
export type BatchSink = (batch: RecordBatch) => void;

let opDictionary: Vector<Utf8> | undefined;
/** The fixed op dictionary vector shared by every batch. */
export function opDictionaryVector(): Vector<Utf8> {
  opDictionary ??= vectorFromArray([...OPS], new Utf8());
  return opDictionary;
}

/** Build one RecordBatch over the given arrays (not copied) in the event schema. */
export function makeEventBatch(cols: EventColumnArrays, schema: Schema = eventSchema()): RecordBatch {
  const length = cols.ts.length;
  const dict = opDictionaryVector();
  const children: Data[] = [
    makeData({ type: new Float64(), length, nullCount: 0, data: cols.ts }),
    makeData({ type: new Int32(), length, nullCount: 0, data: cols.pid }),
    makeData({ type: new Int32(), length, nullCount: 0, data: cols.tid }),
    makeData({ type: opDictionaryType(), length, nullCount: 0, data: cols.op, dictionary: dict }),
    makeData({ type: new Float64(), length, nullCount: 0, data: cols.addr }),
    makeData({ type: new Float64(), length, nullCount: 0, data: cols.len }),
    makeData({ type: new Float64(), length, nullCount: 0, data: cols.arg }),
  ];
  const struct = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return new RecordBatch(schema, struct);
}

/** Accumulates events column by column and emits full batches to a sink. */
export class EventBatchBuilder {
  private cols: EventColumnArrays;
  private n = 0;
  /** Total rows pushed so far. */
  rows = 0;

  constructor(private readonly sink: BatchSink, private readonly batchRows = BATCH_ROWS) {
    this.cols = allocColumns(batchRows);
  }

  /** Append one event. Values must already be validated. */
  push(ts: number, pid: number, tid: number, op: number, addr: number, len: number, arg: number): void {
    const c = this.cols;
    const i = this.n;
    c.ts[i] = ts; c.pid[i] = pid; c.tid[i] = tid; c.op[i] = op;
    c.addr[i] = addr; c.len[i] = len; c.arg[i] = arg;
    this.rows++;
    if (++this.n === this.batchRows) this.flush();
  }

  /** Emit the rows buffered so far as a (possibly short) batch. */
  flush(): void {
    if (this.n === 0) return;
    const c = this.cols;
    const n = this.n;
    const view: EventColumnArrays = {
      ts: c.ts.subarray(0, n), pid: c.pid.subarray(0, n), tid: c.tid.subarray(0, n), op: c.op.subarray(0, n),
      addr: c.addr.subarray(0, n), len: c.len.subarray(0, n), arg: c.arg.subarray(0, n),
    };
    this.sink(makeEventBatch(view));
    this.cols = allocColumns(this.batchRows);
    this.n = 0;
  }
}

/** A batch from row objects; for tests and tiny inline traces, never hot loops. */
export function batchFromRows(rows: readonly EventRow[]): RecordBatch {
  const cols = allocColumns(rows.length);
  rows.forEach((r, i) => {
    cols.ts[i] = r.ts; cols.pid[i] = r.pid; cols.tid[i] = r.tid; cols.op[i] = r.op;
    cols.addr[i] = r.addr; cols.len[i] = r.len; cols.arg[i] = r.arg;
  });
  return makeEventBatch(cols);
}
