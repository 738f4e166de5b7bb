/**
 * Format and compression detection from content (`--format auto`). The first bytes decide:
 * gzip by its magic bytes (decompressed transparently, whatever the name), Arrow IPC by its magic
 * (`ARROW1` file or a stream's continuation marker), then the text sniffers in order of how
 * precisely they recognise their format: CSV header, lackey, perf script, ftrace. Only when no
 * content test matches does the file name's extension decide.
 */
import { sniffCsv } from './csv.js';
import { sniffFtrace } from './ftrace.js';
import { sniffLackey } from './lackey.js';
import { sniffPerf } from './perf.js';
import { SOURCE_FORMATS, type SourceFormat } from './reader.js';

/** What `--format` accepts: a source format or `auto`. */
export type InputFormat = 'auto' | SourceFormat;

/** Every `--format` value, for the CLI's choices. */
export const INPUT_FORMATS: readonly InputFormat[] = ['auto', ...SOURCE_FORMATS];

/** Bytes of decompressed head the sniffers look at. */
export const SNIFF_BYTES = 64 * 1024;

/** True when `bytes` starts with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

const ARROW_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

/** `file` for an Arrow IPC file, `stream` for an IPC stream, else undefined. */
export function arrowKind(bytes: Uint8Array): 'file' | 'stream' | undefined {
  if (bytes.length >= 6 && ARROW_MAGIC.every((b, i) => bytes[i] === b)) return 'file';
  if (bytes.length >= 8 && bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff) return 'stream';
  return undefined;
}

/** Format implied by a file name's extension (a trailing `.gz` ignored), if any. */
export function formatFromName(name: string): SourceFormat | undefined {
  const n = name.toLowerCase().replace(/\.gz$/, '');
  if (n.endsWith('.csv')) return 'csv';
  if (/\.(arrow|arrows|ipc|feather)$/.test(n)) return 'arrow';
  if (n.endsWith('.lackey')) return 'lackey';
  if (n.endsWith('.perf') || n.endsWith('.perf.txt')) return 'perf';
  if (n.endsWith('.ftrace') || n.endsWith('.trace')) return 'ftrace';
  return undefined;
}

/**
 * The format of a (decompressed) input from its first bytes, falling back to its name;
 * undefined when neither tells.
 */
export function detectFormat(head: Uint8Array, name: string): SourceFormat | undefined {
  if (arrowKind(head) !== undefined) return 'arrow';
  const text = new TextDecoder('utf-8').decode(head.subarray(0, SNIFF_BYTES));
  if (sniffCsv(text)) return 'csv';
  if (sniffLackey(text)) return 'lackey';
  if (sniffPerf(text)) return 'perf';
  if (sniffFtrace(text)) return 'ftrace';
  return formatFromName(name);
}
