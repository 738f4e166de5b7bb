/**
 * `loadEventTable`: any ingestible input (an Arrow file written by `mmreplay ingest`, or CSV,
 * perf, ftrace, lackey text, gzipped or not) as ONE in-memory event table of contiguous typed
 * arrays. This is what the replay engine and `inspect` consume.
 *
 * The table (`EventTable.columns`, one array per column, all `rows` long, row `i` at index `i`):
 *
 * | column | array | meaning (docs/design.md section 1) |
 * |---|---|---|
 * | `ts` | Float64Array | arrival time in ns from trace start; integer, 0 <= ts < 2^53 |
 * | `pid` | Int32Array | process (address space) |
 * | `tid` | Int32Array | thread; always the same pid for one tid |
 * | `op` | Int8Array | op code = index in `OPS` (schema.ts); codes >= FIRST_OBSERVATION_OP are `obs_*` observations, not replayed |
 * | `addr` | Float64Array | address (integer < 2^53); for `obs_*` rows an index into `objects` |
 * | `len` | Float64Array | bytes; defaults already applied (1 for accesses, 4096 for range ops, 0 otherwise) |
 * | `arg` | Float64Array | op-specific argument; 0 when not given |
 *
 * Guarantees: no nulls and no NaN (every value was validated on the way in); within one tid, `ts`
 * never decreases in row order; rows are in input order (inputs concatenated in order). Rows of
 * different threads may interleave in any ts order: a consumer that needs global time order
 * merges by thread. `fork` rows' `arg` is a child pid that did not appear before the fork.
 */
import type { RecordBatch } from 'apache-arrow';
import { allocColumns, type EventColumnArrays } from './batch.js';
import { ingest, type IngestedInput, type IngestOptions, type IngestSource } from './ingest.js';
import { COLUMNS } from './schema.js';
import type { Counters } from '../util/diagnostics.js';
import type { InputIssue } from '../util/errors.js';

/** A whole event table in memory; see the module comment for the column contract. */
export interface EventTable {
  /** Number of rows; every column array has exactly this length. */
  rows: number;
  /** One contiguous typed array per column (not views into Arrow batches). */
  columns: EventColumnArrays;
  /** Schema metadata as an ingest would write it (`source.*`, `ingest.counters` ...). */
  metadata: Map<string, string>;
  /** Counters of this load (rows read, rows skipped by reason, unknown events by name). */
  counters: Counters;
  /** Observed object texts by id: `addr` of `obs_*` rows indexes this. */
  objects: string[];
  /** Warnings found while loading (errors throw an InputError instead). */
  warnings: InputIssue[];
  /** Each input as read: format, sha256, and an Arrow input's own metadata. */
  inputs: IngestedInput[];
}

/** Options of `loadEventTable`: `--format` and `--pid` as for ingest. */
export type LoadOptions = Omit<IngestOptions, 'onBatch'>;

/**
 * Ingest `sources` in memory (validating exactly as `mmreplay ingest` does) and return one
 * contiguous table. Throws InputError on invalid input.
 */
export async function loadEventTable(sources: readonly IngestSource[], options: LoadOptions = {}): Promise<EventTable> {
  const batches: EventColumnArrays[] = [];
  const result = await ingest(sources, { ...options, onBatch: (b) => { batches.push(batchColumns(b)); } });
  const columns = concatColumns(batches, result.rows);
  return {
    rows: result.rows, columns, metadata: result.metadata, counters: result.counters,
    objects: result.objects, warnings: result.warnings, inputs: result.inputs,
  };
}

/** The typed arrays behind one event batch (views, not copies). */
export function batchColumns(batch: RecordBatch): EventColumnArrays {
  const col = <T>(name: string): T => {
    const d = batch.getChild(name)!.data[0]!;
    return (d.values as { subarray(a: number, b: number): T }).subarray(d.offset, d.offset + d.length);
  };
  return {
    ts: col('ts'), pid: col('pid'), tid: col('tid'), op: col('op'),
    addr: col('addr'), len: col('len'), arg: col('arg'),
  };
}

/**
 * Copy batches into one array per column. Column by column, dropping each batch's array once it
 * is copied, so the peak is the batches plus one whole column, not twice the table.
 */
function concatColumns(batches: Partial<EventColumnArrays>[], rows: number): EventColumnArrays {
  const out: Partial<EventColumnArrays> = {};
  const empty = allocColumns(0);
  for (const c of COLUMNS) {
    const first = batches[0]?.[c] ?? empty[c];
    const col = new (first.constructor as Float64ArrayConstructor)(rows);
    let at = 0;
    for (const b of batches) {
      col.set(b[c] as Float64Array, at);
      at += b[c]!.length;
      delete b[c];
    }
    (out as Record<string, unknown>)[c] = col;
  }
  return out as EventColumnArrays;
}
