/** In-memory inputs for ingest tests: text or bytes cut into chunks of a given size. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IngestSource } from '../../src/ingest/ingest.js';

/** An IngestSource over `data`, yielded in chunks of `chunk` bytes (default: one chunk). */
export function sourceOf(name: string, data: string | Uint8Array, chunk = Infinity): IngestSource {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return {
    name,
    chunks: (async function* () {
      if (bytes.length === 0) return;
      for (let i = 0; i < bytes.length; i += Math.min(chunk, bytes.length)) yield bytes.slice(i, i + Math.min(chunk, bytes.length));
    })(),
  };
}

/** Directories tempDir() made in the running test file: test/setup.ts removes them after it. */
export const TEMP_DIRS: string[] = [];

/** A fresh temporary directory for one test, removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mmreplay-test-'));
  TEMP_DIRS.push(dir);
  return dir;
}

import { loadEventTable, type EventTable } from '../../src/ingest/load.js';
import type { LoadOptions } from '../../src/ingest/load.js';
import { OPS } from '../../src/ingest/schema.js';
import { InputError } from '../../src/util/errors.js';

/** A row with the op as its name, for readable expectations. */
export interface NamedRow { ts: number; pid: number; tid: number; op: string; addr: number; len: number; arg: number }

/** The rows of a loaded table as plain objects. */
export function rowsOf(t: EventTable): NamedRow[] {
  const c = t.columns;
  return Array.from({ length: t.rows }, (_, i) => ({
    ts: c.ts[i]!, pid: c.pid[i]!, tid: c.tid[i]!, op: OPS[c.op[i]!]!, addr: c.addr[i]!, len: c.len[i]!, arg: c.arg[i]!,
  }));
}

/** Load one text or byte input. */
export function load(name: string, data: string | Uint8Array, options: LoadOptions = {}, chunk = Infinity): Promise<EventTable> {
  return loadEventTable([sourceOf(name, data, chunk)], options);
}

/** The InputError a load throws (fails the test if it does not throw one). */
export async function loadError(name: string, data: string | Uint8Array, options: LoadOptions = {}, chunk = Infinity): Promise<InputError> {
  try {
    await load(name, data, options, chunk);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}
