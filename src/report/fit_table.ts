/**
 * Terminal tables that fit a width: a table whose columns do not fit is split into several
 * tables side by side in reading order, each repeating the leading `fixed` columns (the row
 * names), so a comparison of many policies stays readable in a 120-column terminal. Drawn with
 * cli-table3, without colours (byte-identical output whatever the terminal).
 */
import Table from 'cli-table3';

/** A table of already formatted cells. */
export interface PlainTable {
  head: string[];
  rows: string[][];
  /** Alignment per column; numbers right, names left. */
  align: ('left' | 'right')[];
  /** Leading columns repeated in every part when the table is split. */
  fixed: number;
}

/** Default terminal width of reports. */
export const DEFAULT_COLUMNS = 120;

/** Longest line of a cell, in columns (report cells are ASCII). */
function cellWidth(text: string): number {
  return Math.max(...text.split('\n').map((l) => l.length));
}

/** cli-table3's width of each column: longest cell plus one space of padding each side. */
function columnWidths(t: PlainTable): number[] {
  return t.head.map((h, j) => Math.max(cellWidth(h), ...t.rows.map((r) => cellWidth(r[j] ?? ''))) + 2);
}

/**
 * Partition the non-fixed columns into runs that fit `maxWidth` next to the fixed columns (a
 * column wider than the room left gets a part of its own): as few parts as a greedy fill needs,
 * then balanced (8 policies print as 4 + 4, not 7 + 1) when the balanced parts fit too.
 */
export function splitColumns(widths: readonly number[], fixed: number, maxWidth: number): number[][] {
  const greedy = greedySplit(widths, fixed, maxWidth);
  const n = widths.length - fixed;
  if (greedy.length < 2) return greedy;
  const per = Math.ceil(n / greedy.length);
  const balanced: number[][] = [];
  for (let j = fixed; j < widths.length; j += per) balanced.push([...Array(Math.min(per, widths.length - j)).keys()].map((k) => j + k));
  const base = widths.slice(0, fixed).reduce((a, b) => a + b, 0) + fixed + 1;
  const fits = balanced.length === greedy.length && balanced.every((part) => part.reduce((a, j) => a + widths[j]! + 1, base) <= maxWidth);
  return fits ? balanced : greedy;
}

function greedySplit(widths: readonly number[], fixed: number, maxWidth: number): number[][] {
  const base = widths.slice(0, fixed).reduce((a, b) => a + b, 0) + fixed + 1;
  const parts: number[][] = [];
  let cur: number[] = [];
  let used = base;
  for (let j = fixed; j < widths.length; j++) {
    if (cur.length > 0 && used + widths[j]! + 1 > maxWidth) {
      parts.push(cur);
      cur = [];
      used = base;
    }
    cur.push(j);
    used += widths[j]! + 1;
  }
  if (cur.length > 0 || parts.length === 0) parts.push(cur);
  return parts;
}

function draw(t: PlainTable, cols: readonly number[]): string {
  const table = new Table({
    head: cols.map((j) => t.head[j]!),
    colAligns: cols.map((j) => t.align[j] ?? 'left'),
    style: { head: [], border: [], compact: true },
  });
  for (const r of t.rows) table.push(cols.map((j) => r[j] ?? ''));
  return table.toString();
}

/** Render `t` as one or more tables no wider than `maxWidth` (when its cells allow). */
export function renderFitted(t: PlainTable, maxWidth: number = DEFAULT_COLUMNS): string {
  const widths = columnWidths(t);
  const fixedCols = [...Array(t.fixed).keys()];
  return splitColumns(widths, t.fixed, maxWidth)
    .map((part) => draw(t, [...fixedCols, ...part]))
    .join('\n');
}
