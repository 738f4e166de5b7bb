/**
 * Read a finished run back for `mmreplay report DIR`: meta.json plus the CSV files, checked
 * against the column tables, into the same ReportData a fresh replay renders from. Pure over a
 * `read(name)` function so the CLI owns the filesystem.
 */
import { InputError } from '../util/errors.js';
import { TIME_UNITS } from './columns.js';
import { parseReportCsv } from './csv.js';
import type { ReportMeta } from './meta.js';
import { REPLAY_FILES, REPLAY_TABLES, type ReportData, type ReportTables } from './report_data.js';

/** Reads one file of the run directory; undefined when it does not exist. */
export type ReadFile = (name: string) => string | undefined;

/** Files `report` can do without (older runs): they render as empty. */
const OPTIONAL = new Set(['fault_cdf.csv']);

/** Parse meta.json text of a run directory (any kind); throws an InputError naming the file. */
export function parseMetaJson(text: string | undefined, file: string): { kind: string } & Record<string, unknown> {
  if (text === undefined) {
    throw new InputError({ code: 'missing-file', stage: 'report', file, expected: 'a run directory written by `mmreplay replay -o DIR` or `mmreplay analyze -o DIR` (meta.json is missing)' });
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch (err) {
    throw new InputError({ code: 'bad-json', stage: 'report', file, expected: `valid JSON (${(err as Error).message})` });
  }
  if (typeof meta !== 'object' || meta === null || typeof (meta as { kind?: unknown }).kind !== 'string') {
    throw new InputError({ code: 'bad-meta', stage: 'report', file, text: text.slice(0, 60), expected: 'a JSON object with "kind": "replay" or "analyze"' });
  }
  return meta as { kind: string } & Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The fields of a replay meta.json the report reads, each of the type it must have; a hand-edited
 * or foreign file is an InputError naming the field, not a crash ("policies.map is not a function").
 */
export function checkReplayMeta(meta: Record<string, unknown>, file: string): asserts meta is Record<string, unknown> & ReportMeta {
  const bad = (field: string, what: string): never => {
    throw new InputError({ code: 'bad-meta', stage: 'report', file, text: `${field}: ${JSON.stringify(meta[field.split('.')[0]!])?.slice(0, 80)}`, expected: `"${field}": ${what}` });
  };
  const policies = meta.policies;
  if (!Array.isArray(policies) || !policies.every((p) => isObject(p) && typeof p.label === 'string' && isObject(p.variants))) {
    bad('policies', 'an array of {"label": string, "variants": {axis: variant}}');
  }
  if (typeof meta.unit !== 'string' || !(TIME_UNITS as readonly string[]).includes(meta.unit)) bad('unit', TIME_UNITS.map((u) => `"${u}"`).join(' or '));
  const trace = meta.trace;
  if (!isObject(trace) || typeof trace.path !== 'string' || typeof trace.rows !== 'number' || typeof trace.sha256 !== 'string') bad('trace', '{"path": string, "sha256": string, "rows": number}');
  const machine = meta.machine;
  if (!isObject(machine) || typeof machine.cpuGhz !== 'number' || !(machine.cpuGhz > 0)) bad('machine', 'an object with "cpuGhz", a positive number');
  for (const field of ['counters', 'findings'] as const) if (meta[field] !== undefined && !Array.isArray(meta[field])) bad(field, 'an array');
  for (const field of ['counter_defs', 'costs'] as const) if (meta[field] !== undefined && !isObject(meta[field])) bad(field, 'an object');
  const counters = meta.counters as unknown[] | undefined;
  if (counters !== undefined && !counters.every((c) => isObject(c) && typeof c.policy === 'string' && isObject(c.counters))) bad('counters', 'an array of {"policy": string, "counters": {name: number}}');
  const findings = meta.findings as unknown[] | undefined;
  if (findings !== undefined && !findings.every((f) => isObject(f) && typeof f.kind === 'string' && typeof f.message === 'string')) bad('findings', 'an array of {"kind": string, "message": string, ...}');
}

/** Load a replay run's report data from its files; `dir` names it in messages. */
export function loadReplayReport(read: ReadFile, dir: string, meta: ReportMeta): ReportData {
  checkReplayMeta(meta as unknown as Record<string, unknown>, `${dir}/meta.json`);
  const tables = {} as ReportTables;
  for (const t of REPLAY_TABLES) {
    const { file, columns } = REPLAY_FILES[t];
    const path = `${dir}/${file}`;
    const text = read(file);
    if (text === undefined) {
      if (OPTIONAL.has(file)) {
        tables[t] = [];
        continue;
      }
      throw new InputError({ code: 'missing-file', stage: 'report', file: path, expected: `${file} next to meta.json; the run directory is incomplete` });
    }
    const parsed = parseReportCsv(text, path, columns);
    if (columns.some((c) => c.format === 'time') && parsed.unit !== meta.unit) {
      throw new InputError({ code: 'unit-mismatch', stage: 'report', file: path, expected: `times in ${meta.unit} as meta.json says, not ${parsed.unit}` });
    }
    tables[t] = parsed.rows;
  }
  return { meta, tables };
}
