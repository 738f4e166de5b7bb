/**
 * The terminal report of a run: what `replay` prints after a run and `mmreplay report DIR`
 * prints again from the run's files. Sections: run header, summary (policies as columns),
 * latency by op and path, locks in perf lock's words, refcount outcomes, integrity, every
 * non-zero diagnostic counter, findings. Pure: returns a string; fits `columns` (default 120).
 */
import type { ReplayResult } from '../replay/result.js';
import { usageError } from '../util/errors.js';
import {
  checkFieldNames, INTEGRITY_COLUMNS, LATENCY_COLUMNS, LOCK_COLUMNS, SUMMARY_COLUMNS, type Row, type TimeUnit,
} from './columns.js';
import { DEFAULT_COLUMNS, renderFitted, type PlainTable } from './fit_table.js';
import { formatNs, formatTime, wrapText } from './format.js';
import { buildReportData, convertUnit, REPLAY_FILES, type ReportData } from './report_data.js';
import { FINDING_TITLE } from './meta.js';
import {
  countMatrix, longTable, parseSort, selectFigures, sortRows, transposedTable, type TableView,
} from './terminal_tables.js';

/** Options of the terminal report (the `--baseline`, `--unit`, `--fields`, `--sort` flags). */
export interface RenderOptions {
  baseline?: string;
  unit: TimeUnit;
  fields?: readonly string[];
  sort?: readonly string[];
  /** Terminal width; default 120. */
  columns?: number;
}

/** The figure tables `--fields` and `--sort` apply to. */
const FIELD_TABLES = [SUMMARY_COLUMNS, LATENCY_COLUMNS, LOCK_COLUMNS, INTEGRITY_COLUMNS];

/** Terminal report of a fresh replay result. */
export function renderSummaryTables(result: ReplayResult, opts: RenderOptions): string {
  return renderReport(buildReportData(result, { unit: opts.unit }), opts);
}

function section(title: string, width: number, body: string): string {
  return `${wrapText(title, width).join('\n')}\n${body}\n`;
}

function runHeader(data: ReportData, width: number): string[] {
  const m = data.meta;
  const mc = m.machine;
  const sha = m.trace.sha256.slice(0, 12);
  const lines = [
    `trace ${m.trace.path} (${m.trace.rows} rows, sha256 ${sha}), ${m.policies.length} ${m.policies.length === 1 ? 'policy' : 'policies'}`,
    `machine: ${mc.cpus} cpus, ${mc.nodes} nodes, ${mc.cpuGhz} GHz, HZ ${mc.hz}, memory limit ${mc.memoryLimitBytes ?? 'none'}, swap ${mc.swap}, disk ${mc.disk}, timing ${mc.timing}, ${mc.autoVma ? 'auto-vma' : 'no-auto-vma'}, seed ${mc.seed}`,
    `times in ${m.unit}; percentiles from a log-linear histogram, within ${(m.percentiles.relative_error * 100).toFixed(1)}% of the true value`,
  ];
  return lines.flatMap((l) => wrapText(l, width));
}

function tableOrNone(t: PlainTable, width: number, none: string): string {
  return t.rows.length === 0 ? none : renderFitted(t, width);
}

function countersTable(data: ReportData, order: readonly string[], view: TableView): PlainTable {
  const defs = data.meta.counter_defs;
  const rows: Row[] = data.meta.counters.flatMap(({ policy, counters }) =>
    Object.keys(counters).sort().map((name) => ({ policy, counter: name, severity: defs[name]?.severity ?? '-', count: counters[name]! })));
  rows.sort((a, b) => (a.counter < b.counter ? -1 : a.counter > b.counter ? 1 : 0));
  return countMatrix(rows, ['counter', 'severity'], order, { ...view, baseline: undefined });
}

function findingsText(data: ReportData, width: number): string {
  if (data.meta.findings.length === 0) return 'none';
  return data.meta.findings.flatMap((f) => [
    ...wrapText(`[${f.policy}] ${FINDING_TITLE[f.kind]} at ${data.meta.unit === 'ns' ? formatNs(f.ns) : formatTime(f.cycles, 'cycles')}: ${f.message}`, width),
    ...f.detail.flatMap((d) => wrapText(d, width, '    ')),
  ]).join('\n');
}

/** Render a run's report for the terminal. Throws a usage error on an unknown baseline or field. */
export function renderReport(input: ReportData, opts: RenderOptions): string {
  const data = convertUnit(input, opts.unit);
  const width = opts.columns ?? DEFAULT_COLUMNS;
  const labels = data.meta.policies.map((p) => p.label);
  if (opts.baseline !== undefined && !labels.includes(opts.baseline)) {
    throw usageError(`--baseline: not a policy of this run; expected one of: ${labels.join(', ')}`, opts.baseline);
  }
  const fields = opts.fields?.flatMap((f) => f.split(',')).filter((f) => f.trim() !== '');
  if (fields !== undefined) checkFieldNames(fields, FIELD_TABLES, '--fields');
  const sort = parseSort(opts.sort ?? []);
  checkFieldNames(sort.map((s) => s.name), FIELD_TABLES, '--sort');
  const view: TableView = { unit: data.meta.unit, baseline: opts.baseline, fields, sort };
  const t = data.tables;
  const order = sortRows(t.summary, SUMMARY_COLUMNS, sort).map((r) => String(r.policy));
  const out: string[] = [runHeader(data, width).join('\n'), ''];
  const summaryFigures = selectFigures(SUMMARY_COLUMNS, fields ?? SUMMARY_COLUMNS.map((c) => c.key));
  if (summaryFigures.length > 0) {
    const title = opts.baseline === undefined ? 'Summary' : `Summary (changes against ${opts.baseline})`;
    out.push(section(title, width, renderFitted(transposedTable(t.summary, summaryFigures, order, view), width)));
  }
  const long: [string, keyof typeof t, string][] = [
    ['Latency by op and path', 'latency', 'no events'],
    ['Locks (type in perf lock\'s words; wait figures over contended acquisitions)', 'locks', 'no lock activity'],
    ['Integrity (lost writes, leaks; first example)', 'integrity', 'no integrity violations'],
  ];
  for (const [title, name, none] of long) {
    const cols = REPLAY_FILES[name].columns;
    if (fields !== undefined && selectFigures(cols, fields).length === 0) continue;
    out.push(section(title, width, tableOrNone(longTable(t[name], cols, order, view), width, none)));
  }
  const refcount = countMatrix(t.refcount, ['path', 'outcome', 'holder'], order, view);
  out.push(section('Refcount checks (path, outcome, holder of the unexpected reference)', width, tableOrNone(refcount, width, 'no refcount checks')));
  out.push(section('Diagnostic counters (non-zero)', width, tableOrNone(countersTable(data, order, view), width, 'none')));
  const described = Object.entries(data.meta.counter_defs);
  if (described.length > 0) out.push(`${described.flatMap(([k, d]) => wrapText(`${k}: ${d.description}`, width, '  ')).join('\n')}\n`);
  out.push(section(`Findings (deadlocks, kernel BUGs, OOM kills): ${data.meta.findings.length}`, width, findingsText(data, width)));
  return out.join('\n');
}
