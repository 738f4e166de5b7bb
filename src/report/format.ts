/**
 * Number formatting shared by the terminal tables and the HTML report: human time units, counts,
 * changes against a baseline, CSV cells. Everything here is a pure function of its arguments
 * (no locale, no clock), so two renders of one result are byte-identical.
 */
import type { Cell, ColumnDef, TimeUnit } from './columns.js';

/** Three significant digits, without a trailing `.0`: 1.23, 12.3, 123. */
function sig3(v: number): string {
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

const TIME_STEPS: readonly [number, string][] = [[1e9, 's'], [1e6, 'ms'], [1e3, 'us']];
const COUNT_STEPS: readonly [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];

/** A duration in ns in the largest unit that keeps it >= 1: `850 ns`, `1.23 us`, `45.6 ms`, `2.00 s`. */
export function formatNs(ns: number): string {
  const v = Math.round(ns);
  for (const [scale, unit] of TIME_STEPS) {
    // Round first so 999.96 us prints as 1.00 ms, not 1000 us.
    if (Math.abs(v) >= scale * 0.9995) return `${sig3(v / scale)} ${unit}`;
  }
  return `${v} ns`;
}

/** A duration in cycles with an SI prefix: `950 cyc`, `12.3 kcyc`, `4.50 Gcyc`. */
export function formatCycles(cycles: number): string {
  const v = Math.round(cycles);
  for (const [scale, prefix] of COUNT_STEPS) {
    if (Math.abs(v) >= scale * 0.9995) return `${sig3(v / scale)} ${prefix}cyc`;
  }
  return `${v} cyc`;
}

/** A time value in `unit`, human-readable. */
export function formatTime(value: number, unit: TimeUnit): string {
  return unit === 'ns' ? formatNs(value) : formatCycles(value);
}

/** An address as `0x...` (integers below 2^53 are exact in hex). */
export function formatHex(value: number): string {
  return `0x${value.toString(16)}`;
}

/** A cell as the terminal and HTML show it. */
export function formatCell(col: ColumnDef, value: Cell | undefined, unit: TimeUnit): string {
  if (value === undefined) return '-';
  if (typeof value === 'string') return value;
  switch (col.format) {
    case 'time': return formatTime(value, unit);
    case 'hex': return formatHex(value);
    case 'fraction': return String(value);
    default: return String(value);
  }
}

/** A cell as CSV writes it: integers in decimal, addresses in hex, text as is. */
export function csvCell(col: ColumnDef, value: Cell | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return col.format === 'hex' ? formatHex(value) : String(value);
}

/**
 * The change of `value` against `base`: `=` when equal, `was 0` when the base is zero, `x4.1`
 * when the value is at least twice the base (`x123` from 100 up), else a signed percentage with
 * one decimal (`+12.3%`, `-45.0%`).
 */
export function formatChange(value: number, base: number): string {
  if (value === base) return '=';
  if (base === 0) return 'was 0';
  const ratio = value / base;
  if (ratio >= 2) return ratio >= 100 ? `x${ratio.toFixed(0)}` : `x${ratio.toFixed(1)}`;
  const pct = (ratio - 1) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

/** Greedy fill of `atoms` into lines of at most `width` characters (longer atoms are cut). */
function fill(atoms: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const atom of atoms) {
    if (line !== '' && line.length + atom.length > width) {
      lines.push(line);
      line = '';
    }
    line += atom;
    while (line.length > width) {
      lines.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * Split a policy label for a narrow header cell: a label longer than `width` puts the preset
 * and each `+axis=variant` override on a line of its own; an override longer than `width`
 * breaks after its `=` (or a `-` when that is not enough).
 */
export function wrapLabel(label: string, width: number): string {
  const split = (p: string): string[] => {
    if (p.length <= width) return [p];
    const atEq = p.split(/(?<==)/);
    return atEq.every((a) => a.length <= width) ? atEq : fill(p.split(/(?<=[=-])/), width);
  };
  if (label.length <= width) return label;
  return label.split(/(?=\+)/).flatMap((p) => fill(split(p), width)).join('\n');
}

/** Wrap prose to `width` columns at spaces (words longer than `width` are cut). */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const out: string[] = [];
  let line = indent;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    let w = word;
    if (line.trim() !== '' && line.length + 1 + w.length > width) {
      out.push(line);
      line = indent;
    }
    while (indent.length + w.length > width) {
      if (line.trim() !== '') out.push(line);
      out.push(indent + w.slice(0, width - indent.length));
      w = w.slice(width - indent.length);
      line = indent;
    }
    line += (line.trim() === '' ? '' : ' ') + w;
  }
  if (line.trim() !== '') out.push(line);
  return out;
}
