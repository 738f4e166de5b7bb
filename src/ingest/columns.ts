/**
 * The event table's columns as plain typed arrays, without Arrow: what parsers fill (in the
 * main thread and in worker threads) before batch.ts wraps them in record batches. Kept apart
 * from batch.ts so that a parsing worker does not load apache-arrow (about 130 ms and 20 MiB
 * per worker here).
 */

/** Typed-array columns of one batch. */
export interface EventColumnArrays {
  ts: Float64Array;
  pid: Int32Array;
  tid: Int32Array;
  op: Int8Array;
  addr: Float64Array;
  len: Float64Array;
  arg: Float64Array;
}

/** Fresh zeroed column arrays for `n` rows. */
export function allocColumns(n: number): EventColumnArrays {
  return {
    ts: new Float64Array(n), pid: new Int32Array(n), tid: new Int32Array(n), op: new Int8Array(n),
    addr: new Float64Array(n), len: new Float64Array(n), arg: new Float64Array(n),
  };
}
