/**
 * `report.html`: one self-contained page (inline CSS and SVG, no script, no network at view time)
 * with the run's tables, plots drawn by vega-lite/vega as SVG, findings, diagnostic counters and
 * the settings from meta.json. Every string that comes from a trace or a user (paths, policy
 * labels, op and lock names, messages) goes through `escapeHtml`.
 */
import { INTEGRITY_COLUMNS, LATENCY_COLUMNS, LOCK_COLUMNS, SUMMARY_COLUMNS, type Row } from './columns.js';
import type { PlainTable } from './fit_table.js';
import { formatNs } from './format.js';
import { faultCdfPlot, integrityPlot, lockPlot, refcountPlot, renderSvg, type PlotSpec } from './plots.js';
import type { ReportData } from './report_data.js';
import { countMatrix, longTable, transposedTable, type TableView } from './terminal_tables.js';
import { FINDING_TITLE } from './meta.js';

/** Options of the HTML report. */
export interface HtmlOptions {
  baseline?: string;
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:1400px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0;font-size:13px}th,td{border:1px solid #ddd;padding:2px 8px}
th{background:#f3f3f3;vertical-align:bottom}td{white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums}
figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}figcaption{font-weight:600;margin-bottom:.3em}
.finding{background:#fff3f3;border-left:4px solid #c00;padding:.4em .8em;margin:.5em 0}
.none{color:#666;font-style:italic}.chg{color:#777;font-size:90%}
.row{display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start}code,pre{font-family:ui-monospace,monospace;font-size:12px}`;

/** A figure's change against the baseline at the end of a cell (`+12.3%`, `x4.1`, `=`, `was 0`). */
const CHANGE = /^(.+) (=|was 0|[+-]\d+\.\d%|x\d+(?:\.\d)?)$/;

/** Cell text as HTML: escaped, lines kept, a baseline change set in grey. */
function cellHtml(text: string): string {
  const m = CHANGE.exec(text);
  if (m !== null) return `${escapeHtml(m[1]!)} <span class="chg">${escapeHtml(m[2]!)}</span>`;
  return escapeHtml(text).replace(/\n/g, '<br>');
}

/** An HTML table from formatted cells; multi-line cells keep their lines. */
export function htmlTable(t: PlainTable): string {
  const cell = (tag: 'th' | 'td', text: string, j: number) =>
    `<${tag}${tag === 'td' && t.align[j] === 'right' ? ' class="n"' : ''}>${tag === 'td' ? cellHtml(text) : escapeHtml(text).replace(/\n/g, '<br>')}</${tag}>`;
  const head = `<tr>${t.head.map((h, j) => cell('th', h, j)).join('')}</tr>`;
  const body = t.rows.map((r) => `<tr>${r.map((c, j) => cell('td', c, j)).join('')}</tr>`).join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function kv(pairs: readonly [string, string][]): string {
  return htmlTable({ head: ['setting', 'value'], rows: pairs.map(([k, v]) => [k, v]), align: ['left', 'left'], fixed: 1 });
}

async function figure(plot: PlotSpec, rows: readonly unknown[], none: string): Promise<string> {
  if (rows.length === 0) return `<p class="none">${escapeHtml(none)}</p>`;
  return `<figure id="plot-${plot.id}"><figcaption>${escapeHtml(plot.title)}</figcaption>\n${await renderSvg(plot)}\n</figure>`;
}

function positive(rows: readonly Row[], key: string): Row[] {
  return rows.filter((r) => typeof r[key] === 'number' && (r[key] as number) > 0);
}

function settings(data: ReportData): string {
  const m = data.meta;
  const mc = m.machine;
  const general: [string, string][] = [
    ['tool', `${m.tool.name} ${m.tool.version}`], ['command line', m.command_line || '-'],
    ['trace', m.trace.path], ['trace sha256', m.trace.sha256], ['trace rows', String(m.trace.rows)],
    ['seed', String(m.seed)], ['time unit', m.unit],
    ['percentiles', `${m.percentiles.method}; relative error at most ${(m.percentiles.relative_error * 100).toFixed(2)}%`],
    ['cpus', String(mc.cpus)], ['nodes', String(mc.nodes)], ['cpu GHz', String(mc.cpuGhz)], ['HZ', String(mc.hz)],
    ['memory limit', mc.memoryLimitBytes === null ? 'none' : `${mc.memoryLimitBytes} bytes`], ['swap', mc.swap],
    ['disk', mc.disk], ['timing', mc.timing], ['auto-vma', String(mc.autoVma)],
  ];
  const axes = [...new Set(m.policies.flatMap((p) => Object.keys(p.variants)))];
  const policies = htmlTable({
    head: ['axis', ...m.policies.map((p) => p.label)],
    rows: axes.map((a) => [a, ...m.policies.map((p) => p.variants[a] ?? '-')]),
    align: ['left', ...m.policies.map(() => 'left' as const)],
    fixed: 1,
  });
  const costs = kv(Object.entries(m.costs).map(([k, v]) => [k, `${v} cycles`]));
  return `<h3>Run and machine</h3>\n${kv(general)}\n<h3>Policies (resolved variants)</h3>\n${policies}\n<h3>Cost model</h3>\n${costs}`;
}

function findings(data: ReportData): string {
  if (data.meta.findings.length === 0) return '<p class="none">No deadlocks or kernel BUGs.</p>';
  return data.meta.findings.map((f) =>
    `<div class="finding"><b>${escapeHtml(f.policy)}: ${FINDING_TITLE[f.kind]}</b> at ${escapeHtml(formatNs(f.ns))}: ${escapeHtml(f.message)}` +
    (f.detail.length > 0 ? `<pre>${escapeHtml(f.detail.join('\n'))}</pre>` : '') + '</div>').join('\n');
}

function counters(data: ReportData, order: readonly string[], view: TableView): string {
  const defs = data.meta.counter_defs;
  const rows: Row[] = data.meta.counters.flatMap(({ policy, counters: c }) =>
    Object.keys(c).map((name) => ({ policy, counter: name, description: defs[name]?.description ?? '', count: c[name]! })));
  rows.sort((a, b) => (a.counter < b.counter ? -1 : a.counter > b.counter ? 1 : 0));
  if (rows.length === 0) return '<p class="none">All diagnostic counters are zero.</p>';
  return htmlTable(countMatrix(rows, ['counter', 'description'], order, { ...view, baseline: undefined }));
}

/** The whole report page. Byte-identical for identical data. */
export async function renderHtmlReport(data: ReportData, opts: HtmlOptions = {}): Promise<string> {
  const t = data.tables;
  const unit = data.meta.unit;
  const order = data.meta.policies.map((p) => p.label);
  const baseline = opts.baseline !== undefined && order.includes(opts.baseline) ? opts.baseline : undefined;
  const view: TableView = { unit, baseline, sort: [] };
  const figures = SUMMARY_COLUMNS.filter((c) => !c.identity);
  const parts = [
    `<h1>mmreplay report</h1>`,
    `<p>Trace <code>${escapeHtml(data.meta.trace.path)}</code>, ${data.meta.trace.rows} rows, ${order.length} policies; times in ${unit}.` +
      (baseline === undefined ? '' : ` Changes against <code>${escapeHtml(baseline)}</code>.`) + '</p>',
    `<h2>Summary and fault latency</h2>\n<div class="row">\n${htmlTable(transposedTable(t.summary, figures, order, view))}\n` +
      `${await figure(faultCdfPlot(t.fault_cdf, order, unit), positive(t.fault_cdf, 'ns'), 'No faults.')}\n</div>`,
    '<h2>Latency by op and path</h2>',
    htmlTable(longTable(t.latency, LATENCY_COLUMNS, order, view)),
    `<h2>Locks</h2>\n${await figure(lockPlot(t.locks, order, unit, 'wait'), positive(t.locks, 'wait_total_ns'), 'No lock waits.')}`,
    await figure(lockPlot(t.locks, order, unit, 'hold'), positive(t.locks, 'hold_total_ns'), 'No lock holds.'),
    htmlTable(longTable(t.locks, LOCK_COLUMNS, order, view)),
    '<p>Every column of latency.csv and locks.csv is in the run directory; wait figures are over contended acquisitions.</p>',
    `<h2>Refcount checks</h2>\n${await figure(refcountPlot(t.refcount, order), t.refcount, 'No refcount checks.')}`,
    t.refcount.length === 0 ? '' : htmlTable(countMatrix(t.refcount, ['path', 'outcome', 'holder'], order, view)),
    `<h2>Integrity</h2>\n${await figure(integrityPlot(t.integrity, order), t.integrity, 'No integrity violations.')}`,
    t.integrity.length === 0 ? '' : htmlTable(longTable(t.integrity, INTEGRITY_COLUMNS, order, view)),
    `<h2>Findings</h2>\n${findings(data)}`,
    `<h2>Diagnostic counters</h2>\n${counters(data, order, view)}`,
    `<h2>Settings</h2>\n${settings(data)}`,
  ];
  const title = `mmreplay report: ${data.meta.trace.path}`;
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(title)}</title>\n` +
    `<style>\n${CSS}\n</style>\n</head>\n<body>\n${parts.filter((p) => p !== '').join('\n')}\n</body>\n</html>\n`;
}
