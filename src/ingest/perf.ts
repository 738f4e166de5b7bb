/** Placeholder: the perf reader is being written. */
import type { ReaderContext, TraceReader } from './reader.js';
import { InputError } from '../util/errors.js';

/** True when the first chunk of text looks like this format. */
export function sniffPerf(_head: string): boolean {
  return false;
}

/** A streaming reader for this format. */
export function createPerfReader(ctx: ReaderContext): TraceReader {
  throw new InputError({ code: 'unsupported', stage: 'ingest', file: ctx.file, expected: 'perf reader not implemented yet' });
}
