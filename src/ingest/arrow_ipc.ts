/**
 * The one Arrow IPC file writer, for the ingest event table and replay's events.arrow: record
 * batches are serialised as they come (apache-arrow's RecordBatchFileWriter) and their bytes go
 * to a ByteSink; the footer, which IPC file readers (Arrow JS, pyarrow, DuckDB) take the schema
 * from, is written at `finish()` and may carry metadata known only then (the ingest counters).
 *
 * Public API only: the writer keeps the Schema object it was given and encodes the footer from
 * it, so the final metadata goes into that schema's own `metadata` map before the footer is
 * written (record batch messages do not carry schema metadata, so nothing written before
 * changes).
 */
import { RecordBatch, RecordBatchFileWriter, type Schema } from 'apache-arrow';
import type { ByteSink } from '../util/byte_sink.js';

export class ArrowIpcFileWriter {
  private readonly writer = new RecordBatchFileWriter();
  private readonly pumped: Promise<void>;
  /** The sink's error, once a write to it failed; every later call rethrows it. */
  private failed: { error: unknown } | undefined;

  constructor(private readonly sink: ByteSink, private readonly schema: Schema) {
    this.writer.reset(undefined, schema);
    // An abort ends the byte queue's iteration with a rejection (not an Error): `abort` expects it.
    this.pumped = this.pump().catch((error: unknown) => {
      this.failed ??= { error };
    });
  }

  /**
   * Move the writer's bytes to the sink. The sink's failure is kept and rethrown by the next
   * call, never left unhandled; the queue is still drained (bytes dropped) so the writer stays
   * usable until the caller stops.
   */
  private async pump(): Promise<void> {
    for await (const chunk of this.writer) {
      if (this.failed !== undefined) continue;
      try {
        await this.sink.write(chunk);
      } catch (error) {
        this.failed = { error };
      }
    }
  }

  /** Rethrow the sink's failure, if any. */
  check(): void {
    if (this.failed !== undefined) throw this.failed.error;
  }

  /** Serialise a batch (its columns under this writer's schema); its bytes reach the sink on the next `drain`. */
  push(batch: RecordBatch): void {
    this.check();
    this.writer.write(batch.schema === this.schema ? batch : new RecordBatch(this.schema, batch.data));
  }

  /** Let the pump move the bytes written so far to the sink; rethrows the sink's failure. */
  async drain(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    this.check();
  }

  /** `push` then `drain`. */
  async write(batch: RecordBatch): Promise<void> {
    this.push(batch);
    await this.drain();
  }

  /**
   * Write the footer, its schema carrying `metadata` when given (replacing the schema's
   * metadata, in `metadata`'s order), and wait until the sink took every byte.
   */
  async finish(metadata?: ReadonlyMap<string, string>): Promise<void> {
    this.check();
    if (metadata !== undefined) {
      const m = this.schema.metadata;
      m.clear();
      for (const [k, v] of metadata) m.set(k, v);
    }
    this.writer.finish();
    await this.pumped;
    this.check();
  }

  /** Stop: nothing more reaches the sink. Safe after a failure. */
  async abort(): Promise<void> {
    this.writer.abort();
    await this.pumped;
  }
}
