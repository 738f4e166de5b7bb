/**
 * Report columns, defined once (docs/style.md point 10, after perf's `lock_key` table). Each output
 * file has ONE column table; it drives the CSV header and order, the terminal tables, `--fields`
 * and `--sort`, and the parser `mmreplay report` reads a finished run back with. The order of a
 * table is the order of docs/design.md section 5.
 *
 * Time columns are keyed by their ns header (`makespan_ns`); `--unit cycles` turns the header's
 * `_ns` suffix into `_cycles`. Values in a row are already in the run's unit.
 */
import { usageError } from '../util/errors.js';

/** The time unit of a run's outputs. */
export type TimeUnit = 'ns' | 'cycles';
/** Every time unit, for `--unit` choices. */
export const TIME_UNITS: readonly TimeUnit[] = ['ns', 'cycles'];

/**
 * How a column's values are written and shown: `int` a count, `time` an integer in the run's
 * unit, `text` a name, `hex` an address written `0x...`, `fraction` a number in [0, 1].
 */
export type ColumnFormat = 'int' | 'time' | 'text' | 'hex' | 'fraction';

/** One column of one output file. */
export interface ColumnDef {
  /** Key of the value in a row, and the name `--fields`/`--sort` take (the ns header). */
  key: string;
  format: ColumnFormat;
  /** Unit, for docs: `ns`, `events`, `pages` ... (time columns follow the run's unit). */
  unit: string;
  /** Part of the row's identity (policy, op, path ...): always shown, never a figure. */
  identity?: boolean;
  /** Shown in the terminal table when `--fields` is not given. */
  terminal?: boolean;
}

/** A value in a report row. */
export type Cell = string | number;
/** One row of an output file, keyed by column key. */
export type Row = Record<string, Cell>;

function id(key: string, format: ColumnFormat = 'text'): ColumnDef {
  return { key, format, unit: format === 'int' ? 'count' : '-', identity: true, terminal: true };
}
function n(key: string, unit: string, terminal = true): ColumnDef {
  return { key, format: 'int', unit, terminal };
}
function t(key: string, terminal = true): ColumnDef {
  return { key, format: 'time', unit: 'ns', terminal };
}

/** `summary.csv`: one row per policy. */
export const SUMMARY_COLUMNS: readonly ColumnDef[] = [
  id('policy'), n('events', 'events'), n('faults', 'faults'), n('major_faults', 'faults'), t('makespan_ns'),
  t('fault_mean_ns'), t('fault_p50_ns'), t('fault_p99_ns'), t('fault_max_ns'), t('mmap_lock_wait_ns'),
  t('vma_lock_wait_ns'), n('migrate_pages', 'pages'), n('migrate_ok', 'pages'), n('migrate_failed', 'pages'),
  n('refcount_failures', 'checks'), n('cow_copies', 'pages'), n('fork_copies', 'pages'), n('swapins', 'reads'),
  n('duplicate_swapins', 'reads'), n('integrity_violations', 'reads'), n('stale_migration_entries', 'entries'),
  n('deadlocks', 'deadlocks'),
];

/** `latency.csv`: one row per policy, op and path. */
export const LATENCY_COLUMNS: readonly ColumnDef[] = [
  id('policy'), id('op'), id('path'), n('count', 'events'), t('mean_ns'), t('p50_ns'), t('p90_ns', false),
  t('p99_ns'), t('p999_ns', false), t('max_ns'), t('total_ns', false),
];

/** `locks.csv`: one row per policy, lock class and type (perf lock's words). */
export const LOCK_COLUMNS: readonly ColumnDef[] = [
  id('policy'), id('lock'), id('type'), n('acquisitions', 'acquisitions'), n('contentions', 'acquisitions'),
  t('wait_total_ns'), t('wait_min_ns', false), t('wait_avg_ns'), t('wait_max_ns'), t('wait_p99_ns', false),
  t('hold_total_ns'), t('hold_min_ns', false), t('hold_avg_ns'), t('hold_max_ns'), t('hold_p99_ns', false),
];

/** `refcount.csv`: one row per policy, path, outcome and holder. */
export const REFCOUNT_COLUMNS: readonly ColumnDef[] = [
  id('policy'), id('path'), id('outcome'), id('holder'), n('count', 'checks'),
];

/** `integrity.csv`: one row per policy and kind, with the first example. */
export const INTEGRITY_COLUMNS: readonly ColumnDef[] = [
  id('policy'), id('kind'), n('count', 'findings'), n('first_tid', 'tid'),
  { key: 'first_addr', format: 'hex', unit: 'address', terminal: true }, t('first_ts_ns'),
];

/** `fault_cdf.csv`: fault latency quantiles per policy, for plots drawn without a replay. */
export const FAULT_CDF_COLUMNS: readonly ColumnDef[] = [
  id('policy'), { key: 'quantile', format: 'fraction', unit: 'fraction', identity: true, terminal: true }, t('ns'),
];

/** `analyze_threads.csv`: one row per thread of the trace (`mmreplay analyze`). */
export const ANALYZE_THREAD_COLUMNS: readonly ColumnDef[] = [
  id('pid', 'int'), id('tid', 'int'), n('events', 'events'), n('reads', 'events'), n('writes', 'events'),
  n('fetches', 'events'), n('range_ops', 'events'), n('other_ops', 'events'), n('observations', 'events', false),
  n('pages', 'pages'), n('shared_pages', 'pages'), t('first_ts_ns', false), t('last_ts_ns', false),
];

/** `analyze_processes.csv`: one row per process of the trace. */
export const ANALYZE_PROCESS_COLUMNS: readonly ColumnDef[] = [
  id('pid', 'int'), n('threads', 'threads'), n('events', 'events'), n('accesses', 'events'),
  n('pages', 'pages'), n('shared_pages', 'pages'), n('forks', 'events'), n('migrates', 'events'),
];

/** `analyze_ops.csv`: events per thread and op (non-zero only). */
export const ANALYZE_OP_COLUMNS: readonly ColumnDef[] = [id('pid', 'int'), id('tid', 'int'), id('op'), n('count', 'events')];

/** `working_set.csv`: distinct pages touched per time window. */
export const WORKING_SET_COLUMNS: readonly ColumnDef[] = [
  id('window_start_ns', 'int'), n('window_end_ns', 'ns'), n('events', 'events'), n('pages', 'pages'),
  n('new_pages', 'pages'),
];

/** `hot_pages.csv`: the most accessed pages. */
export const HOT_PAGE_COLUMNS: readonly ColumnDef[] = [
  id('rank', 'int'), id('pid', 'int'), { key: 'page', format: 'hex', unit: 'address', identity: true, terminal: true },
  n('accesses', 'events'), n('reads', 'events'), n('writes', 'events'), n('threads', 'threads'),
];

/** Every output file with a column table, by file name. */
export const OUTPUT_COLUMNS = {
  'summary.csv': SUMMARY_COLUMNS,
  'latency.csv': LATENCY_COLUMNS,
  'locks.csv': LOCK_COLUMNS,
  'refcount.csv': REFCOUNT_COLUMNS,
  'integrity.csv': INTEGRITY_COLUMNS,
  'fault_cdf.csv': FAULT_CDF_COLUMNS,
  'analyze_processes.csv': ANALYZE_PROCESS_COLUMNS,
  'analyze_threads.csv': ANALYZE_THREAD_COLUMNS,
  'analyze_ops.csv': ANALYZE_OP_COLUMNS,
  'working_set.csv': WORKING_SET_COLUMNS,
  'hot_pages.csv': HOT_PAGE_COLUMNS,
} as const satisfies Record<string, readonly ColumnDef[]>;
/** Name of an output file that has a column table. */
export type OutputFile = keyof typeof OUTPUT_COLUMNS;

/** The header of a column in a run written in `unit`: `_ns` becomes `_cycles` for time columns. */
export function headerOf(col: ColumnDef, unit: TimeUnit): string {
  if (col.format !== 'time' || unit === 'ns') return col.key;
  return col.key === 'ns' ? 'cycles' : col.key.replace(/_ns$/, '_cycles');
}

/** A column's key without its unit suffix, the short title terminal tables use. */
export function shortTitle(col: ColumnDef): string {
  return col.format === 'time' && col.key !== 'ns' ? col.key.replace(/_ns$/, '') : col.key;
}

/**
 * The column `name` names in `columns`, accepting the ns header, the cycles header or the bare
 * name (`fault_p99_ns`, `fault_p99_cycles`, `fault_p99`); undefined when none matches.
 */
export function findColumn(columns: readonly ColumnDef[], name: string): ColumnDef | undefined {
  const n = name.trim().toLowerCase();
  return columns.find((c) => c.key === n || headerOf(c, 'cycles') === n || shortTitle(c) === n);
}

/**
 * Check user field names (`--fields`, `--sort`) against every table in `tables`; throws a usage
 * error naming the unknown name and the valid ones.
 */
export function checkFieldNames(names: readonly string[], tables: readonly (readonly ColumnDef[])[], flag: string): void {
  for (const name of names) {
    if (tables.some((cols) => findColumn(cols, name) !== undefined)) continue;
    const valid = [...new Set(tables.flatMap((cols) => cols.map(shortTitle)))].join(', ');
    throw usageError(`${flag}: unknown column; expected one of: ${valid}`, name);
  }
}
