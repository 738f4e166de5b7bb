/**
 * One measurement in its own process, so its peak RSS is its own:
 * `node child.js MODE FILE` prints one JSON line `{rows, seconds, cpuSeconds, maxRssMiB}` or `{error}`.
 * Modes: `papaparse` (papaparse's own parse of the file, rows discarded: the baseline), or an
 * ingest format (`csv`, `perf`, `lackey`, `ftrace`, `arrow`), optionally `:N` for N CSV worker
 * threads (`csv:2`): the full ingest pipeline (read, parse, validate, build Arrow batches) with
 * its batches discarded.
 */
import { createReadStream } from 'node:fs';
import Papa from 'papaparse';
import { fileSource } from '../../src/cli/fsinput.js';
import { ingest } from '../../src/ingest/ingest.js';
import type { SourceFormat } from '../../src/ingest/reader.js';

/** Papaparse alone over the file's chunks, carrying the partial row as its ChunkStreamer does. */
async function papaparseRows(file: string): Promise<number> {
  const parser = new Papa.Parser({ delimiter: ',', newline: '\n' });
  const decoder = new TextDecoder();
  let tail = '';
  let rows = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const text = tail + decoder.decode(chunk as Uint8Array, { stream: true });
    const res = parser.parse(text, 0, true) as Papa.ParseResult<string[]>;
    tail = text.substring(res.meta.cursor);
    rows += res.data.length;
  }
  if (tail.length > 0) rows += (parser.parse(tail, 0, false) as Papa.ParseResult<string[]>).data.length;
  return rows - 1; // the header
}

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2) as [string, string];
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let rows: number;
  try {
    if (mode === 'papaparse') rows = await papaparseRows(file);
    else {
      const [format, workers] = mode.split(':');
      const options = { format: format as SourceFormat, workers: Number(workers ?? 0), onBatch: () => undefined };
      rows = (await ingest([fileSource(file, process.cwd())], options)).rows;
    }
  } catch (err) {
    console.log(JSON.stringify({ error: err instanceof Error ? err.message.split('\n')[0] : String(err) }));
    return;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  // CPU seconds of all threads: unlike wall time, barely changed by other load on the machine.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(JSON.stringify({ rows, seconds, cpuSeconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

void main();
