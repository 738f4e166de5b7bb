/**
 * The edge where report files land on disk. `replayOutputFiles` is pure (names and texts);
 * `writeFilesAtomically` writes each through an AtomicFile (a temporary sibling renamed over the
 * target), renaming only after every file's bytes are written, meta.json last, so a failed run
 * leaves no half-written file and a directory with meta.json holds a complete run.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AtomicFile } from '../ingest/writer.js';
import type { ReplayResult } from '../replay/result.js';
import type { CounterDef } from '../util/diagnostics.js';
import type { TimeUnit } from './columns.js';
import { toCsv } from './csv.js';
import { buildReportData, REPLAY_FILES, REPLAY_TABLES, type ReportData } from './report_data.js';
import { ChromeTraceRecorder, type TimelineOptions } from './timeline.js';

/** One output file: its name in the run directory and its full text. */
export interface OutputText {
  name: string;
  text: string;
}

/** Options of `writeReplayOutputs`. */
export interface ReplayOutputOptions {
  unit: TimeUnit;
  /** The command line as the user typed it (quoted words joined by spaces). */
  commandLine: string;
  toolVersion: string;
  /** Severity and description of replay counters, carried into meta.json for `report`. */
  counterDefs?: readonly CounterDef[];
}

/** meta.json text of a report (two-space JSON, final newline). */
export function metaJson(data: ReportData): string {
  return `${JSON.stringify(data.meta, null, 2)}\n`;
}

/** CSV files then meta.json of a report, in write order. */
export function reportFiles(data: ReportData): OutputText[] {
  const csv = REPLAY_TABLES.map((t) => ({
    name: REPLAY_FILES[t].file,
    text: toCsv(REPLAY_FILES[t].columns, data.tables[t], data.meta.unit),
  }));
  return [...csv, { name: 'meta.json', text: metaJson(data) }];
}

/** The report data and output files of a replay result (pure). */
export function replayOutputFiles(result: ReplayResult, opts: ReplayOutputOptions): { data: ReportData; files: OutputText[] } {
  const files = [...REPLAY_TABLES.map((t) => REPLAY_FILES[t].file), 'meta.json'];
  const data = buildReportData(result, { ...opts, files });
  return { data, files: reportFiles(data) };
}

/**
 * Write `files` into `dir` (created when missing): every file's bytes first, then the renames in
 * order. On an error every file not yet renamed is removed and the error rethrown.
 */
export async function writeFilesAtomically(dir: string, files: readonly OutputText[]): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const open: AtomicFile[] = [];
  try {
    for (const f of files) {
      const a = new AtomicFile(join(dir, f.name));
      open.push(a);
      await a.write(f.text);
    }
    while (open.length > 0) {
      await open[0]!.finish();
      open.shift();
    }
  } catch (err) {
    for (const a of open) await a.abort();
    throw err;
  }
  return files.map((f) => join(dir, f.name));
}

/**
 * Write every replay output of docs/design.md section 5 that the report layer owns (summary.csv,
 * latency.csv, locks.csv, refcount.csv, integrity.csv, fault_cdf.csv, meta.json) into `dir`.
 * Returns the report data (for the terminal tables) and the paths written.
 */
export async function writeReplayOutputs(result: ReplayResult, dir: string, opts: ReplayOutputOptions): Promise<{ data: ReportData; paths: string[] }> {
  const { data, files } = replayOutputFiles(result, opts);
  const paths = await writeFilesAtomically(dir, files);
  return { data, paths };
}

/**
 * A `--timeline FILE` being written: pass `recorder` to the replay, then `finish()` (the file
 * appears whole) or `abort()` (nothing appears). Check `recorder.truncated` after the run.
 */
export class TimelineFile {
  readonly recorder: ChromeTraceRecorder;
  private readonly file: AtomicFile;

  constructor(path: string, opts: TimelineOptions) {
    this.file = new AtomicFile(path);
    this.recorder = new ChromeTraceRecorder(this.file, opts);
  }

  async finish(): Promise<void> {
    try {
      await this.recorder.finish();
    } catch (err) {
      await this.file.abort();
      throw err;
    }
    await this.file.finish();
  }

  abort(): Promise<void> {
    return this.file.abort();
  }
}
