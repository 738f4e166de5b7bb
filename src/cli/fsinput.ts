/**
 * Opening input files as the byte-chunk iterables the ingest pipeline takes, and checking
 * output paths before anything is written. Pipes and devices are inputs too (`/dev/stdin`).
 */
import { createReadStream, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { IngestSource } from '../ingest/ingest.js';
import { InputError } from '../util/errors.js';

/** Bytes per read: large chunks keep per-chunk overhead (decode, parser calls) negligible. */
export const READ_CHUNK = 1 << 20;

/**
 * An input file as an IngestSource named as the user typed it. Fails now, with an InputError,
 * when the file does not exist or is a directory. `-` is `stdin` when given (yargs drops a bare
 * `-` from positionals, so commands document `/dev/stdin`).
 */
export function fileSource(path: string, cwd: string, stdin?: NodeJS.ReadableStream): IngestSource {
  if (path === '-' && stdin !== undefined) return { name: '-', chunks: stdin as AsyncIterable<Uint8Array> };
  const full = resolve(cwd, path);
  let st;
  try {
    st = statSync(full);
  } catch {
    throw new InputError({ code: 'no-such-file', stage: 'cli', file: path, expected: 'an existing, readable input file' });
  }
  if (st.isDirectory()) throw new InputError({ code: 'not-a-file', stage: 'cli', file: path, expected: 'a file, not a directory' });
  return { name: path, chunks: readChunks(full, path) };
}

/** The file's bytes; an error opening or reading it (EACCES, ENXIO ...) is the user's to fix. */
async function* readChunks(full: string, path: string): AsyncGenerator<Uint8Array> {
  try {
    yield* createReadStream(full, { highWaterMark: READ_CHUNK }) as AsyncIterable<Uint8Array>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === undefined || !/^E[A-Z]+$/.test(code)) throw err;
    throw new InputError({ code: 'unreadable', stage: 'cli', file: path, expected: `a readable file (${(err as Error).message})` });
  }
}

/** Absolute output path; fails with an InputError when its directory does not exist. */
export function outputPath(path: string, cwd: string): string {
  const full = resolve(cwd, path);
  let ok = false;
  try {
    ok = statSync(dirname(full)).isDirectory();
  } catch { /* reported below */ }
  if (!ok) throw new InputError({ code: 'no-output-dir', stage: 'cli', file: path, expected: 'an output path in an existing directory' });
  let isDir = false;
  try {
    isDir = statSync(full).isDirectory();
  } catch { /* does not exist yet: fine */ }
  if (isDir) throw new InputError({ code: 'output-is-dir', stage: 'cli', file: path, expected: 'an output file name, not a directory' });
  return full;
}
