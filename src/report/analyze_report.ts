/**
 * Outputs of `mmreplay analyze`: the CSV files (column tables in columns.ts), meta.json with
 * `"kind": "analyze"`, and the terminal report; also read back by `mmreplay report DIR`.
 */
import { InputError } from '../util/errors.js';
import {
  ANALYZE_OP_COLUMNS, ANALYZE_PROCESS_COLUMNS, ANALYZE_THREAD_COLUMNS, HOT_PAGE_COLUMNS, LOCK_COLUMNS,
  WORKING_SET_COLUMNS, type ColumnDef, type OutputFile, type Row,
} from './columns.js';
import { toCsv, parseReportCsv } from './csv.js';
import { DEFAULT_COLUMNS, renderFitted } from './fit_table.js';
import { formatNs, wrapText } from './format.js';
import type { AnalyzeResult, AnalyzeSummary } from './analyze.js';
import { CONTENTION_THRESHOLD_NS } from './analyze_locks.js';
import { META_FORMAT_VERSION } from './meta.js';
import { longTable, type TableView } from './terminal_tables.js';

/** meta.json of an analyze run. */
export interface AnalyzeMeta {
  kind: 'analyze';
  meta_version: number;
  tool: { name: string; version: string };
  command_line: string;
  trace: { path: string; sha256: string; rows: number };
  unit: 'ns';
  summary: AnalyzeSummary;
  contention_threshold_ns: number;
  /** Recorded page migrations (`migrate:mm_migrate_pages`) per reason. */
  migrations: AnalyzeResult['migrations'];
  /** Analyze's own tallies (unpaired lock events ...) and the ingest counters of the load. */
  counters: Record<string, number>;
  files: string[];
}

/** The tables of an analyze run. */
export interface AnalyzeTables {
  processes: Row[];
  threads: Row[];
  ops: Row[];
  working_set: Row[];
  hot_pages: Row[];
  locks: Row[];
}

/** An analyze run ready to render. */
export interface AnalyzeData {
  meta: AnalyzeMeta;
  tables: AnalyzeTables;
}

/** File and column table of each analyze table, in write order. */
export const ANALYZE_FILES: { readonly [K in keyof AnalyzeTables]: { file: OutputFile; columns: readonly ColumnDef[] } } = {
  processes: { file: 'analyze_processes.csv', columns: ANALYZE_PROCESS_COLUMNS },
  threads: { file: 'analyze_threads.csv', columns: ANALYZE_THREAD_COLUMNS },
  ops: { file: 'analyze_ops.csv', columns: ANALYZE_OP_COLUMNS },
  working_set: { file: 'working_set.csv', columns: WORKING_SET_COLUMNS },
  hot_pages: { file: 'hot_pages.csv', columns: HOT_PAGE_COLUMNS },
  locks: { file: 'locks.csv', columns: LOCK_COLUMNS },
};
const TABLES = Object.keys(ANALYZE_FILES) as (keyof AnalyzeTables)[];

/** What analyze cannot know by itself. */
export interface AnalyzeRunInfo {
  commandLine: string;
  toolVersion: string;
  trace: { path: string; sha256: string; rows: number };
  /** Counters of the load (ingest), merged under `ingest.` names. */
  ingestCounters?: Record<string, number>;
  contentionThresholdNs?: number;
}

/** Report data of an analysis (pure). */
export function buildAnalyzeData(r: AnalyzeResult, info: AnalyzeRunInfo): AnalyzeData {
  const counters: Record<string, number> = { ...r.counters };
  for (const [k, v] of Object.entries(info.ingestCounters ?? {})) if (v !== 0) counters[`ingest.${k}`] = v;
  return {
    meta: {
      kind: 'analyze', meta_version: META_FORMAT_VERSION, tool: { name: 'mmreplay', version: info.toolVersion },
      command_line: info.commandLine, trace: { ...info.trace }, unit: 'ns', summary: { ...r.summary },
      contention_threshold_ns: info.contentionThresholdNs ?? CONTENTION_THRESHOLD_NS,
      migrations: r.migrations.map((m) => ({ ...m })),
      counters: Object.fromEntries(Object.keys(counters).sort().map((k) => [k, counters[k]!])),
      files: [...TABLES.map((t) => ANALYZE_FILES[t].file), 'meta.json'],
    },
    tables: { processes: r.processes, threads: r.threads, ops: r.ops, working_set: r.workingSet, hot_pages: r.hotPages, locks: r.locks },
  };
}

/** CSV files then meta.json of an analysis, in write order. */
export function analyzeFiles(data: AnalyzeData): { name: string; text: string }[] {
  return [
    ...TABLES.map((t) => ({ name: ANALYZE_FILES[t].file, text: toCsv(ANALYZE_FILES[t].columns, data.tables[t], 'ns') })),
    { name: 'meta.json', text: `${JSON.stringify(data.meta, null, 2)}\n` },
  ];
}

/** Read an analyze run back (`mmreplay report DIR`). */
export function loadAnalyzeReport(read: (name: string) => string | undefined, dir: string, meta: AnalyzeMeta): AnalyzeData {
  const tables = {} as AnalyzeTables;
  for (const t of TABLES) {
    const { file, columns } = ANALYZE_FILES[t];
    const text = read(file);
    if (text === undefined) throw new InputError({ code: 'missing-file', stage: 'report', file: `${dir}/${file}`, expected: `${file} next to meta.json; the analyze directory is incomplete` });
    tables[t] = parseReportCsv(text, `${dir}/${file}`, columns).rows;
  }
  return { meta, tables };
}

/** Threads listed in the terminal; the CSV has them all. */
const MAX_THREAD_ROWS = 40;

function workingSetChart(rows: readonly Row[], width: number): string {
  if (rows.length === 0) return 'no events';
  const max = Math.max(1, ...rows.map((r) => r.pages as number));
  const label = (r: Row) => `${formatNs(r.window_start_ns as number).padStart(9)} ${String(r.pages).padStart(8)} `;
  const room = Math.max(10, width - label(rows[0]!).length);
  return [`${'from'.padStart(9)} ${'pages'.padStart(8)}`,
    ...rows.map((r) => (label(r) + '#'.repeat(Math.round(((r.pages as number) / max) * room))).trimEnd())].join('\n');
}

/** Terminal report of an analysis. */
export function renderAnalyzeReport(data: AnalyzeData, opts: { columns?: number } = {}): string {
  const width = opts.columns ?? DEFAULT_COLUMNS;
  const s = data.meta.summary;
  const t = data.tables;
  const view: TableView = { unit: 'ns', sort: [] };
  const fit = (rows: readonly Row[], cols: readonly ColumnDef[]) => renderFitted(longTable(rows, cols, [], view), width);
  const out = [
    ...wrapText(`trace ${data.meta.trace.path} (${s.rows} rows, sha256 ${data.meta.trace.sha256.slice(0, 12)}): ${s.events} events, ${s.observations} observations, ${s.processes} processes, ${s.threads} threads, ${s.pages} distinct pages (${s.shared_pages} shared between threads), span ${formatNs(s.last_ts_ns - s.first_ts_ns)}`, width),
    '', 'Processes', fit(t.processes, ANALYZE_PROCESS_COLUMNS),
    '', `Threads${t.threads.length > MAX_THREAD_ROWS ? ` (first ${MAX_THREAD_ROWS} of ${t.threads.length}; all in analyze_threads.csv)` : ''}`,
    fit(t.threads.slice(0, MAX_THREAD_ROWS), ANALYZE_THREAD_COLUMNS),
    '', `Working set: distinct pages touched per ${formatNs(s.window_ns)} window`, workingSetChart(t.working_set, width),
    '', 'Hottest pages', t.hot_pages.length === 0 ? 'no accesses' : fit(t.hot_pages, HOT_PAGE_COLUMNS),
    '', ...wrapText(`Measured locks (from mmap_lock:* and lock:contention_* events; a mmap_lock wait above ${data.meta.contention_threshold_ns} ns or with a contention_begin counts as a contention; wait figures over contentions)`, width),
    t.locks.length === 0 ? 'no lock observations in this trace' : renderFitted(longTable(t.locks, LOCK_COLUMNS, ['recorded'], view), width),
    ...(data.meta.migrations.length === 0 ? [] : ['', 'Recorded page migrations (migrate:mm_migrate_pages)',
      ...data.meta.migrations.map((m) => `  ${m.reason}: ${m.calls} calls, ${m.succeeded} pages moved, ${m.failed} not moved`)]),
    '', 'Counters (non-zero)',
    ...(Object.keys(data.meta.counters).length === 0 ? ['none'] : Object.entries(data.meta.counters).map(([k, v]) => `  ${k} ${v}`)),
  ];
  return `${out.join('\n')}\n`;
}
