/**
 * The terminal tables of a run, as PlainTables of formatted cells: the summary with policies as
 * columns and metrics as rows (many presets fit side by side), long tables for latency, locks and
 * integrity (one row per op/path or lock/type and policy, grouped so policies of one row are
 * adjacent), refcount outcomes and diagnostic counters with policies as columns. With a baseline,
 * every figure is followed by its change against the baseline policy's figure.
 */
import { findColumn, shortTitle, type Cell, type ColumnDef, type Row, type TimeUnit } from './columns.js';
import type { PlainTable } from './fit_table.js';
import { formatCell, formatChange, wrapLabel } from './format.js';
import { cmp } from './report_data.js';

/** Width policy labels are wrapped to in column headers. */
const LABEL_WIDTH = 22;

/** One `--sort` key: a column and a direction. */
export interface SortKey {
  name: string;
  /** Undefined: numbers descending (largest first, as perf lock -k), names ascending. */
  desc?: boolean;
}

/** How a table is cut and ordered for the terminal. */
export interface TableView {
  unit: TimeUnit;
  baseline?: string;
  /** `--fields`; undefined means each column's `terminal` default. */
  fields?: readonly string[];
  sort: readonly SortKey[];
}

/** Parse `--sort` items: `KEY` (numbers descending, names ascending), `KEY:asc`, `KEY:desc`. */
export function parseSort(items: readonly string[]): SortKey[] {
  return items.flatMap((s) => s.split(',')).filter((s) => s.trim() !== '').map((s) => {
    const m = /^(.*?)(?::(asc|desc))?$/i.exec(s.trim())!;
    return m[2] === undefined ? { name: m[1]! } : { name: m[1]!, desc: m[2].toLowerCase() === 'desc' };
  });
}

/** The figure columns of `columns` to show: `--fields` in the order given, else the defaults. */
export function selectFigures(columns: readonly ColumnDef[], fields: readonly string[] | undefined): ColumnDef[] {
  if (fields === undefined) return columns.filter((c) => !c.identity && c.terminal === true);
  const out: ColumnDef[] = [];
  for (const f of fields) {
    const c = findColumn(columns, f);
    if (c !== undefined && !c.identity && !out.includes(c)) out.push(c);
  }
  return out;
}

function compareCells(a: Cell | undefined, b: Cell | undefined): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return cmp(String(a ?? ''), String(b ?? ''));
}

/** Stable sort of rows by the sort keys that name a column of `columns`; text keys ascend by default. */
export function sortRows(rows: readonly Row[], columns: readonly ColumnDef[], sort: readonly SortKey[]): Row[] {
  const keys = sort.flatMap((s) => {
    const c = findColumn(columns, s.name);
    if (c === undefined) return [];
    const desc = s.desc ?? c.format !== 'text';
    return [{ key: c.key, sign: desc ? -1 : 1 }];
  });
  if (keys.length === 0) return [...rows];
  return rows
    .map((r, i) => ({ r, i }))
    .sort((x, y) => {
      for (const k of keys) {
        const d = compareCells(x.r[k.key], y.r[k.key]) * k.sign;
        if (d !== 0) return d;
      }
      return x.i - y.i;
    })
    .map((x) => x.r);
}

/** A figure, followed by its change against the baseline figure when there is one. */
function figure(col: ColumnDef, v: Cell | undefined, base: Cell | undefined, unit: TimeUnit, isBase: boolean): string {
  const text = formatCell(col, v, unit);
  if (isBase || typeof v !== 'number' || typeof base !== 'number' || col.format === 'hex') return text;
  return `${text} ${formatChange(v, base)}`;
}

/** Header cell of a policy column. */
export function policyHead(label: string, baseline: string | undefined): string {
  return wrapLabel(label, LABEL_WIDTH) + (label === baseline ? '\n(baseline)' : '');
}

/**
 * Policies as columns, metric rows: `rows` holds one row per policy (summary.csv), `order` the
 * policy labels in display order.
 */
export function transposedTable(rows: readonly Row[], figures: readonly ColumnDef[], order: readonly string[], view: TableView): PlainTable {
  const byPolicy = new Map(rows.map((r) => [String(r.policy), r]));
  const base = view.baseline === undefined ? undefined : byPolicy.get(view.baseline);
  return {
    head: ['metric', ...order.map((p) => policyHead(p, view.baseline))],
    rows: figures.map((c) => [
      shortTitle(c),
      ...order.map((p) => figure(c, byPolicy.get(p)?.[c.key], base?.[c.key], view.unit, p === view.baseline)),
    ]),
    align: ['left', ...order.map(() => 'right' as const)],
    fixed: 1,
  };
}

/**
 * One row per group (the identity columns other than `policy`) and policy: groups in identity
 * order (as the CSV orders rows within a policy), policies of a group adjacent in policy order; repeated group cells are left blank unless the user sorted. A table
 * without a `policy` column (analyze) keeps its row order and has no policy column.
 */
export function longTable(rows: readonly Row[], columns: readonly ColumnDef[], order: readonly string[], view: TableView): PlainTable {
  const hasPolicy = columns.some((c) => c.key === 'policy');
  const group = columns.filter((c) => c.identity && c.key !== 'policy');
  const figures = selectFigures(columns, view.fields);
  const groupKey = (r: Row): string => JSON.stringify(group.map((c) => r[c.key]));
  const rank = new Map(order.map((p, i) => [p, i]));
  const byGroup = (a: Row, b: Row): number => {
    for (const c of group) {
      const d = compareCells(a[c.key], b[c.key]);
      if (d !== 0) return d;
    }
    return 0;
  };
  const grouped = !hasPolicy ? [...rows] : rows
    .filter((r) => rank.has(String(r.policy)))
    .map((r, i) => ({ r, i }))
    .sort((a, b) => byGroup(a.r, b.r) || rank.get(String(a.r.policy))! - rank.get(String(b.r.policy))! || a.i - b.i)
    .map((x) => x.r);
  const sorted = sortRows(grouped, columns, view.sort);
  const blank = hasPolicy && view.sort.every((s) => findColumn(columns, s.name) === undefined);
  const baseRows = new Map(rows.filter((r) => r.policy === view.baseline).map((r) => [groupKey(r), r]));
  let prev = '';
  const out = sorted.map((r) => {
    const key = groupKey(r);
    const names = group.map((c) => (blank && key === prev ? '' : formatCell(c, r[c.key], view.unit)));
    prev = key;
    const isBase = r.policy === view.baseline;
    const base = view.baseline === undefined ? undefined : baseRows.get(key);
    return [...names, ...(hasPolicy ? [wrapLabel(String(r.policy), LABEL_WIDTH)] : []),
      ...figures.map((c) => figure(c, r[c.key], base?.[c.key], view.unit, isBase))];
  });
  const pol = hasPolicy ? 1 : 0;
  return {
    head: [...group.map(shortTitle), ...(hasPolicy ? ['policy'] : []), ...figures.map(shortTitle)],
    rows: out,
    align: [...group.map((c) => (c.format === 'text' ? 'left' as const : 'right' as const)),
      ...(hasPolicy ? ['left' as const] : []), ...figures.map(() => 'right' as const)],
    fixed: group.length + pol,
  };
}

/**
 * Counts per group with policies as columns (refcount outcomes, diagnostic counters): `rows`
 * carry `policy`, the `group` cells and `count`.
 */
export function countMatrix(rows: readonly Row[], group: readonly string[], order: readonly string[], view: TableView): PlainTable {
  const keys: string[] = [];
  const seen = new Set<string>();
  const cells = new Map<string, Row>();
  for (const r of rows) {
    const k = JSON.stringify(group.map((g) => r[g]));
    if (!seen.has(k)) keys.push(k);
    seen.add(k);
    cells.set(`${k}\u0000${String(r.policy)}`, r);
  }
  const countCol: ColumnDef = { key: 'count', format: 'int', unit: 'count' };
  return {
    head: [...group, ...order.map((p) => policyHead(p, view.baseline))],
    rows: keys.map((k) => {
      const names = (JSON.parse(k) as Cell[]).map(String);
      const base = view.baseline === undefined ? undefined : (cells.get(`${k}\u0000${view.baseline}`)?.count ?? 0);
      return [...names, ...order.map((p) => figure(countCol, cells.get(`${k}\u0000${p}`)?.count ?? 0, base, view.unit, p === view.baseline))];
    }),
    align: [...group.map(() => 'left' as const), ...order.map(() => 'right' as const)],
    fixed: group.length,
  };
}
