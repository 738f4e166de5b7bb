/**
 * Atomic, streaming writers for the event table: Arrow IPC file (record batches as they come)
 * or the contract's CSV. Output appears whole or not at all (docs/design.md section 6): bytes go to a
 * temporary name in the target's directory, renamed over the target on `finish()`, removed on
 * `abort()`. This module touches the filesystem by design: it is the edge where ingest output
 * lands, called only from the CLI layer and tests.
 */
import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RecordBatch, RecordBatchFileWriter, Schema } from 'apache-arrow';
import { eventSchema } from './arrow_schema.js';
import { formatCsvBatch, CSV_HEADER } from './csv_format.js';

/** Temporary sibling path for an atomic write of `target`. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
}

/** A byte sink that lands at `target` only on `finish()`. */
export class AtomicFile {
  readonly temp: string;
  private readonly stream: WriteStream;
  private readonly closed: Promise<void>;
  private done = false;

  constructor(readonly target: string) {
    this.temp = tempPathFor(target);
    this.stream = createWriteStream(this.temp);
    this.closed = new Promise((resolve, reject) => {
      this.stream.on('close', resolve);
      this.stream.on('error', reject);
    });
  }

  /** Write bytes or text; resolves when the stream can take more (backpressure). */
  async write(chunk: Uint8Array | string): Promise<void> {
    if (!this.stream.write(chunk)) await new Promise<void>((r) => this.stream.once('drain', r));
  }

  /** Flush, close and rename over the target. */
  async finish(): Promise<void> {
    this.done = true;
    this.stream.end();
    await this.closed;
    renameSync(this.temp, this.target);
  }

  /** Close and remove the temporary file; the target is untouched. Safe to call twice. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.stream.destroy();
    await this.closed.catch(() => undefined);
    rmSync(this.temp, { force: true });
  }
}

/** Where ingest sends its batches: an Arrow IPC file or CSV. */
export interface EventTableWriter {
  write(batch: RecordBatch): Promise<void>;
  /** Final schema metadata (counters known only at the end) and atomic rename. */
  finish(metadata: Map<string, string>): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Arrow IPC file writer. Batches are written under the base schema as they arrive; the footer,
 * which IPC file readers (Arrow JS, pyarrow, DuckDB) take the schema from, carries the final
 * metadata including the ingest counters known only at the end.
 */
export class ArrowEventWriter implements EventTableWriter {
  private readonly file: AtomicFile;
  private readonly writer = new RecordBatchFileWriter();
  private schema: Schema;
  private readonly pumped: Promise<void>;

  constructor(target: string, baseMetadata: Map<string, string> = new Map()) {
    this.file = new AtomicFile(target);
    this.schema = eventSchema(baseMetadata);
    this.writer.reset(undefined, this.schema);
    this.pumped = this.pump();
  }

  private async pump(): Promise<void> {
    for await (const chunk of this.writer) await this.file.write(chunk);
  }

  async write(batch: RecordBatch): Promise<void> {
    this.writer.write(new RecordBatch(this.schema, batch.data));
    // Let the pump move the batch's bytes to disk before the next one is built.
    await new Promise<void>((r) => setImmediate(r));
  }

  async finish(metadata: Map<string, string>): Promise<void> {
    this.schema = eventSchema(metadata);
    // The footer is written from the writer's schema at close: give it the final metadata.
    (this.writer as unknown as { _schema: Schema })._schema = this.schema;
    if (!(this.writer as unknown as { _started: boolean })._started) {
      this.writer.write(new RecordBatch(this.schema, undefined as never));
    }
    this.writer.finish();
    await this.pumped;
    await this.file.finish();
  }

  async abort(): Promise<void> {
    this.writer.abort();
    await this.pumped.catch(() => undefined);
    await this.file.abort();
  }
}

/** CSV writer in the contract's column order; metadata is not representable and is dropped. */
export class CsvEventWriter implements EventTableWriter {
  private readonly file: AtomicFile;
  private headerWritten = false;
  constructor(target: string) {
    this.file = new AtomicFile(target);
  }
  async write(batch: RecordBatch): Promise<void> {
    if (!this.headerWritten) {
      await this.file.write(CSV_HEADER);
      this.headerWritten = true;
    }
    await this.file.write(formatCsvBatch(batch));
  }
  async finish(): Promise<void> {
    if (!this.headerWritten) await this.file.write(CSV_HEADER);
    await this.file.finish();
  }
  abort(): Promise<void> {
    return this.file.abort();
  }
}

/** A writer for `target`, by extension: `.csv` writes CSV, anything else Arrow IPC. */
export function writerFor(target: string, baseMetadata?: Map<string, string>): EventTableWriter {
  return target.toLowerCase().endsWith('.csv') ? new CsvEventWriter(target) : new ArrowEventWriter(target, baseMetadata);
}
