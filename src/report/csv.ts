/**
 * CSV text of report files, both ways: `toCsv` writes rows under a column table with papaparse's
 * `unparse` (header from the table, `\n` line ends, quoting only where CSV needs it), and
 * `parseReportCsv` reads a finished run's file back for `mmreplay report`, checking its header
 * against the same table.
 */
import Papa from 'papaparse';
import { InputError } from '../util/errors.js';
import { headerOf, TIME_UNITS, type ColumnDef, type Row, type TimeUnit } from './columns.js';
import { csvCell } from './format.js';

/** CSV text (header row, one line per row, final newline) of `rows` under `columns`. */
export function toCsv(columns: readonly ColumnDef[], rows: readonly Row[], unit: TimeUnit): string {
  const fields = columns.map((c) => headerOf(c, unit));
  const data = rows.map((r) => columns.map((c) => csvCell(c, r[c.key])));
  const text = Papa.unparse({ fields, data }, { newline: '\n' });
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** Rows of a report CSV file and the time unit its header names. */
export interface ParsedCsv {
  unit: TimeUnit;
  rows: Row[];
}

const KIND_TEXT: Record<ColumnDef['format'], string> = {
  int: 'an integer', time: 'an integer', text: 'present', hex: 'a 0x... hex address', fraction: 'a number in [0, 1]',
};

function parseValue(col: ColumnDef, text: string): number | string | undefined {
  switch (col.format) {
    case 'text': return text;
    case 'hex': return /^0x[0-9a-f]+$/i.test(text) ? Number.parseInt(text.slice(2), 16) : undefined;
    case 'fraction': {
      const v = Number(text);
      return text !== '' && Number.isFinite(v) && v >= 0 && v <= 1 ? v : undefined;
    }
    default: return /^-?\d+$/.test(text) ? Number(text) : undefined;
  }
}

function unitOfHeader(columns: readonly ColumnDef[], header: readonly string[]): TimeUnit | undefined {
  return TIME_UNITS.find((u) => columns.length === header.length && columns.every((c, i) => headerOf(c, u) === header[i]));
}

/**
 * Parse one report CSV file written by this tool. Throws an InputError naming the file and line
 * on a header that is not the column table's (in ns or cycles) or a cell of the wrong kind.
 */
export function parseReportCsv(text: string, file: string, columns: readonly ColumnDef[]): ParsedCsv {
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true });
  const [header, ...body] = parsed.data;
  if (parsed.errors.length > 0) {
    const e = parsed.errors[0]!;
    throw new InputError({ code: 'bad-csv', stage: 'report', file, line: (e.row ?? 0) + 1, expected: `valid CSV (${e.message})` });
  }
  const unit = header ? unitOfHeader(columns, header) : undefined;
  if (unit === undefined) {
    throw new InputError({
      code: 'bad-header', stage: 'report', file, line: 1, text: (header ?? []).join(','),
      expected: `the header ${columns.map((c) => headerOf(c, 'ns')).join(',')} (or its _cycles form); was this written by another mmreplay version?`,
    });
  }
  const rows = body.map((cells, i) => {
    const row: Row = {};
    columns.forEach((col, j) => {
      const v = cells.length === columns.length ? parseValue(col, cells[j]!) : undefined;
      if (v === undefined) {
        throw new InputError({
          code: 'bad-cell', stage: 'report', file, line: i + 2, text: cells.join(','),
          expected: `${columns.length} cells, ${headerOf(col, unit)} ${KIND_TEXT[col.format]}`,
        });
      }
      row[col.key] = v;
    });
    return row;
  });
  return { unit, rows };
}
