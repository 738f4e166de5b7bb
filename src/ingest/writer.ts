/**
 * Streaming encoders of the event table: Arrow IPC file (record batches as they come) or the
 * contract's CSV. They produce bytes into a ByteSink and never touch the filesystem: the CLI
 * gives them an atomic file (src/cli/atomic_file.ts), which lands whole or not at all.
 */
import type { RecordBatch } from 'apache-arrow';
import type { ByteSink } from '../util/byte_sink.js';
import { ArrowIpcFileWriter } from './arrow_ipc.js';
import { eventSchema } from './arrow_schema.js';
import { formatCsvBatch, CSV_HEADER } from './csv_format.js';

/** Where ingest sends its batches: an Arrow IPC file or CSV. */
export interface EventTableWriter {
  write(batch: RecordBatch): Promise<void>;
  /** Final schema metadata (counters known only at the end); every byte has reached the sink on return. */
  finish(metadata: Map<string, string>): Promise<void>;
  /** Stop writing (the caller discards the sink). */
  abort(): Promise<void>;
}

/**
 * Arrow IPC file encoder. Batches are written under the base schema as they arrive; the footer,
 * which IPC file readers take the schema from, carries the final metadata including the ingest
 * counters known only at the end.
 */
export class ArrowEventWriter implements EventTableWriter {
  private readonly ipc: ArrowIpcFileWriter;

  constructor(sink: ByteSink, baseMetadata: ReadonlyMap<string, string> = new Map()) {
    this.ipc = new ArrowIpcFileWriter(sink, eventSchema(new Map(baseMetadata)));
  }

  write(batch: RecordBatch): Promise<void> {
    return this.ipc.write(batch);
  }

  finish(metadata: Map<string, string>): Promise<void> {
    return this.ipc.finish(metadata);
  }

  abort(): Promise<void> {
    return this.ipc.abort();
  }
}

/** CSV encoder in the contract's column order; metadata is not representable and is dropped. */
export class CsvEventWriter implements EventTableWriter {
  private headerWritten = false;
  constructor(private readonly sink: ByteSink) {}
  async write(batch: RecordBatch): Promise<void> {
    if (!this.headerWritten) {
      await this.sink.write(CSV_HEADER);
      this.headerWritten = true;
    }
    await this.sink.write(formatCsvBatch(batch));
  }
  async finish(): Promise<void> {
    if (!this.headerWritten) await this.sink.write(CSV_HEADER);
  }
  async abort(): Promise<void> {}
}

/** True when an output named `name` is written as CSV (by extension), else Arrow IPC. */
export function isCsvOutput(name: string): boolean {
  return name.toLowerCase().endsWith('.csv');
}

/** An encoder for an output named `name`, into `sink`: `.csv` writes CSV, anything else Arrow IPC. */
export function writerFor(name: string, sink: ByteSink, baseMetadata?: ReadonlyMap<string, string>): EventTableWriter {
  return isCsvOutput(name) ? new CsvEventWriter(sink) : new ArrowEventWriter(sink, baseMetadata);
}
