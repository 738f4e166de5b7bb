/**
 * The contract's CSV (docs/design.md section 1) through papaparse, streaming: each pushed chunk is
 * parsed up to its last complete row and the partial row is kept for the next chunk, the way
 * papaparse's own ChunkStreamer does it, so no more than one chunk of text is ever held.
 *
 * A header row is required; columns come in any order; `ts pid tid op addr` must be present,
 * `len` and `arg` may be missing or empty (then they take `defaultLen(op)` and 0); extra columns
 * are ignored with a warning. Blank lines and lines starting with `#` are skipped and counted.
 */
import Papa from 'papaparse';
import { BAD, parseAddr, parseDec } from './numbers.js';
import { lineTooLong, MAX_LINE_CHARS, type EventSink, type ReaderContext, type TraceReader } from './reader.js';
import { COLUMNS, MAX_VALUE_TEXT, OPS, OPTIONAL_COLUMNS, type ColumnName, defaultLen, opCode } from './schema.js';
import type { Counters } from '../util/diagnostics.js';
import type { InputIssue } from '../util/errors.js';

/** Largest pid/tid (Int32 column). */
const MAX_ID = 2 ** 31 - 1;

/** Where each contract column sits in a row (-1: absent), from the header. */
export type CsvLayout = Record<ColumnName, number> & { width: number };

/** Parse the header row into a layout, reporting missing, duplicate and extra columns. */
export function csvLayout(header: readonly string[], report: (issue: Omit<InputIssue, 'stage' | 'file'>, warning: boolean) => void, line: number): CsvLayout | undefined {
  const layout = { width: header.length } as CsvLayout;
  for (const c of COLUMNS) layout[c] = -1;
  const extra: string[] = [];
  let ok = true;
  header.forEach((raw, i) => {
    const name = raw.trim();
    if ((COLUMNS as readonly string[]).includes(name)) {
      if (layout[name as ColumnName] >= 0) {
        report({ code: 'duplicate-column', line, text: name, expected: 'each column once in the header' }, false);
        ok = false;
      }
      layout[name as ColumnName] = i;
    } else extra.push(name);
  });
  const missing = COLUMNS.filter((c) => layout[c] < 0 && !OPTIONAL_COLUMNS.has(c));
  if (missing.length > 0) {
    report({ code: 'missing-columns', line, text: header.join(','),
      expected: `a header naming the columns ${COLUMNS.join(',')} (in any order; len and arg may be left out); missing: ${missing.join(', ')}` }, false);
    ok = false;
  }
  if (extra.length > 0) {
    report({ code: 'extra-columns', line, text: extra.join(','),
      expected: `only the columns ${COLUMNS.join(',')}; these extra columns are ignored` }, true);
  }
  return ok ? layout : undefined;
}

/**
 * Turns papaparse rows into events on an EventSink: number parsing, op lookup and defaults.
 * Separate from the chunking so the same code can run wherever rows are parsed.
 */
export class CsvRowDecoder {
  layout: CsvLayout | undefined;
  private headerSeen = false;

  constructor(
    private readonly file: string,
    private readonly events: EventSink,
    private readonly counters: Counters,
    private readonly onIssue: (issue: InputIssue, warning: boolean) => void,
  ) {}

  /** Decode rows whose first row is at `line`; returns the line after the last row. */
  decode(rows: readonly string[][], line: number, multiline: boolean): number {
    let read = 0;
    let blank = 0;
    for (let r = 0; r < rows.length; r++, line++) {
      const row = rows[r]!;
      const first = row[0]!;
      if (row.length === 1 && first.length === 0 || first.charCodeAt(0) === 35 /* # */) {
        blank++;
      } else if (this.layout !== undefined) {
        read++;
        this.row(row, line);
      } else if (!this.headerSeen) {
        this.headerSeen = true;
        this.layout = csvLayout(row, (i, w) => this.onIssue({ ...i, stage: 'ingest', file: this.file }, w), line);
        if (this.layout && this.layout.width > COLUMNS.length) this.counters.add('extra_columns', this.layout.width - COLUMNS.length);
      }
      if (multiline) for (const f of row) for (let k = f.indexOf('\n'); k >= 0; k = f.indexOf('\n', k + 1)) line++;
    }
    // Counted per call, not per row: a Map update per row is measurable at 10M rows.
    if (read > 0) this.counters.add('rows_read', read);
    if (blank > 0) this.counters.add('skipped_blank', blank);
    return line;
  }

  private row(row: string[], line: number): void {
    const L = this.layout!;
    if (row.length !== L.width) {
      return this.bad('bad-row', line, row.join(','), `${L.width} fields, as in the header; found ${row.length}`);
    }
    const tsText = row[L.ts]!;
    const ts = parseDec(tsText);
    if (ts < 0) return this.badNumber(line, 'ts', tsText, ts);
    const pidText = row[L.pid]!;
    const pid = parseDec(pidText);
    if (pid < 0 || pid > MAX_ID) return this.badId(line, 'pid', pidText, pid);
    const tidText = row[L.tid]!;
    const tid = parseDec(tidText);
    if (tid < 0 || tid > MAX_ID) return this.badId(line, 'tid', tidText, tid);
    const opText = row[L.op]!;
    const op = opCode(opText);
    if (op < 0) return this.bad('unknown-op', line, opText, `column op: one of ${OPS.join(', ')}`);
    const addrText = row[L.addr]!;
    const addr = parseAddr(addrText);
    if (addr < 0) return this.badNumber(line, 'addr', addrText, addr);
    let len = defaultLen(op);
    if (L.len >= 0 && row[L.len]!.length > 0) {
      len = parseDec(row[L.len]!);
      if (len < 0) return this.badNumber(line, 'len', row[L.len]!, len);
    }
    let arg = 0;
    if (L.arg >= 0 && row[L.arg]!.length > 0) {
      arg = parseDec(row[L.arg]!);
      if (arg < 0) return this.badNumber(line, 'arg', row[L.arg]!, arg);
    }
    this.events.push(ts, pid, tid, op, addr, len, arg, line);
  }

  private badNumber(line: number, column: ColumnName, text: string, code: number): void {
    const what = column === 'addr' ? 'a hex (0x...) or decimal integer' : 'a decimal integer';
    const expected = code === BAD
      ? `column ${column}: ${what} >= 0 (no sign, no decimal point${OPTIONAL_COLUMNS.has(column) ? '' : ', not empty: only len and arg may be empty'})`
      : `column ${column}: a value below the limit ${MAX_VALUE_TEXT}${column === 'addr' ? ' (5-level-paging addresses are not supported yet)' : ''}`;
    this.bad(code === BAD ? 'bad-number' : 'number-too-big', line, text, expected);
  }

  private badId(line: number, column: ColumnName, text: string, v: number): void {
    if (v === BAD) return this.badNumber(line, column, text, v);
    this.bad('number-too-big', line, text, `column ${column}: an id at most ${MAX_ID} (2^31 - 1)`);
  }

  private bad(code: string, line: number, text: string, expected: string): void {
    this.onIssue({ code, stage: 'ingest', file: this.file, line, text, expected }, false);
  }
}

/** Streaming CSV reader: papaparse per chunk, the partial last row carried to the next chunk. */
export class CsvReader implements TraceReader {
  readonly format = 'csv' as const;
  private readonly decoder: CsvRowDecoder;
  private parser: Papa.Parser | undefined;
  private tail = '';
  /** Number of the next line to be read (1-based); the parallel reader advances it past pieces parsed elsewhere. */
  line = 1;
  /** Line ending fixed from the first chunk. */
  newline: '\n' | '\r\n' = '\n';

  constructor(private readonly ctx: ReaderContext) {
    this.decoder = new CsvRowDecoder(ctx.file, ctx.events, ctx.counters, (issue, warning) =>
      warning ? ctx.issues.warn(issue) : ctx.issues.error(issue));
  }

  push(chunk: string): void {
    const nl = chunk.indexOf('\n');
    if (this.tail.length > 0 || this.parser === undefined) {
      // The pending row and the chunk's first line are one line: it must fit the limit.
      if (this.tail.length + (nl < 0 ? chunk.length : nl) > MAX_LINE_CHARS) throw lineTooLong(this.ctx.file, this.line, this.tail + chunk.slice(0, 120));
      // No row ends in a chunk without a newline: keep it (parsing the pending row again per chunk would take quadratic time).
      if (nl < 0) {
        this.tail += chunk;
        return;
      }
    }
    this.parse(this.tail + chunk, true);
    if (this.tail.length > MAX_LINE_CHARS) throw lineTooLong(this.ctx.file, this.line, this.tail);
  }

  /** Lines read so far. */
  get linesRead(): number {
    return this.line - 1;
  }

  /** The header's layout once it has been read. */
  get layout(): CsvLayout | undefined {
    return this.decoder.layout;
  }

  /** True when part of a row is waiting for the next chunk. */
  get pending(): boolean {
    return this.tail.length > 0;
  }

  end(): void {
    if (this.tail.length > 0) this.parse(this.tail, false);
    this.tail = '';
    if (this.decoder.layout === undefined && this.ctx.issues.errors.length === 0) {
      this.ctx.issues.error({ code: 'missing-header', stage: 'ingest', file: this.ctx.file,
        expected: `a CSV header row naming the columns ${COLUMNS.join(',')}; the file has none` });
    }
  }

  private parse(text: string, more: boolean): void {
    // Line endings are fixed by the first line's (CR-only input reaches the reader with LF line ends).
    if (this.parser === undefined) {
      const nl = text.indexOf('\n');
      this.newline = nl > 0 && text.charCodeAt(nl - 1) === 13 ? '\r\n' : '\n';
      this.parser = new Papa.Parser({ delimiter: ',', newline: this.newline });
    }
    const res = this.parser.parse(text, 0, more) as Papa.ParseResult<string[]>;
    this.tail = more ? text.substring(res.meta.cursor) : '';
    for (const e of res.errors) {
      this.ctx.issues.error({ code: 'bad-csv', stage: 'ingest', file: this.ctx.file, line: this.line + (e.row ?? 0),
        expected: `well-formed CSV (papaparse: ${e.message})` });
    }
    this.line = this.decoder.decode(res.data, this.line, text.indexOf('"') >= 0);
  }
}

/** A streaming reader for the contract's CSV. */
export function createCsvReader(ctx: ReaderContext): TraceReader {
  return new CsvReader(ctx);
}

/** True when the first line of `head` is a CSV header naming at least `ts` and `op`. */
export function sniffCsv(head: string): boolean {
  for (const raw of head.split('\n', 50)) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    const names = line.split(',').map((s) => s.trim());
    return names.includes('ts') && names.includes('op');
  }
  return false;
}
