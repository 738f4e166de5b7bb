/** Placeholder: the ftrace reader is being written. */
import type { ReaderContext, TraceReader } from './reader.js';
import { InputError } from '../util/errors.js';

/** True when the first chunk of text looks like this format. */
export function sniffFtrace(_head: string): boolean {
  return false;
}

/** A streaming reader for this format. */
export function createFtraceReader(ctx: ReaderContext): TraceReader {
  throw new InputError({ code: 'unsupported', stage: 'ingest', file: ctx.file, expected: 'ftrace reader not implemented yet' });
}
