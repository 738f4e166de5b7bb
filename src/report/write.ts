/**
 * The files of a run directory as names and texts (pure): the CSV tables, then meta.json. The
 * CLI writes them (src/cli/atomic_file.ts: every file's bytes first, then the renames in order,
 * meta.json last, so a failed run leaves no half-written file and a directory with meta.json
 * holds a complete run).
 */
import type { ReplayResult } from '../replay/result.js';
import type { CounterDef } from '../util/diagnostics.js';
import type { TimeUnit } from './columns.js';
import { toCsv } from './csv.js';
import { buildReportData, REPLAY_FILES, REPLAY_TABLES, type ReportData } from './report_data.js';

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
