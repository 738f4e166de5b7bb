/**
 * A selftest report as text: the PASS/FAIL table (cases as rows, policies as columns, split to
 * fit the terminal width, each FAIL or SKIP cell pointing to a numbered reason below it), the
 * `--json` object and the `--csv` text. Pure: strings out, the CLI writes them.
 */
import Papa from 'papaparse';
import { DEFAULT_COLUMNS, renderFitted } from '../report/fit_table.js';
import type { SelftestReport, Verdict } from './types.js';

/** Widest line of a case name in the table; longer names wrap. */
const CASE_WIDTH = 30;

/** Short variant names for the table (the full ones are in JSON and CSV). */
const VARIANT_SHORT: Record<string, string> = { 'base page': 'base', 'swapped-out base page': 'swapped' };

/** Greedy word wrap to lines of at most `width` characters. */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (cur.length > 0 && cur.length + 1 + word.length > width) {
      lines.push(cur);
      cur = word;
    } else cur = cur.length > 0 ? `${cur} ${word}` : word;
  }
  lines.push(cur);
  return lines.join('\n');
}

/** Counts of each verdict over the whole report. */
export function verdictCounts(r: SelftestReport): Record<Verdict, number> {
  const n: Record<Verdict, number> = { PASS: 0, FAIL: 0, SKIP: 0 };
  for (const row of r.verdicts) for (const v of row) n[v.verdict]++;
  return n;
}

/** The terminal table, the numbered reasons of every FAIL and SKIP, and a count line. */
export function renderSelftest(r: SelftestReport, width: number = DEFAULT_COLUMNS): string {
  const withVariant = r.cases.some((c) => c.variant !== '-');
  const notes: string[] = [];
  const noteOf = (reason: string): number => {
    const at = notes.indexOf(reason);
    if (at >= 0) return at + 1;
    notes.push(reason);
    return notes.length;
  };
  // One row per case, one line per variant (cow.c: base page, then swapped-out base page).
  const groups: number[][] = [];
  r.cases.forEach((c, i) => {
    const last = groups[groups.length - 1];
    if (last !== undefined && r.cases[last[0]!]!.id === c.id) last.push(i);
    else groups.push([i]);
  });
  const cell = (i: number, j: number): string => {
    const v = r.verdicts[i]![j]!;
    return v.verdict === 'PASS' ? 'PASS' : `${v.verdict} [${noteOf(v.reason)}]`;
  };
  const rows = groups.map((g) => [
    wrap(r.cases[g[0]!]!.name, CASE_WIDTH),
    ...(withVariant ? [g.map((i) => VARIANT_SHORT[r.cases[i]!.variant] ?? r.cases[i]!.variant).join('\n')] : []),
    ...r.policies.map((_, j) => g.map((i) => cell(i, j)).join('\n')),
  ]);
  const fixed = withVariant ? 2 : 1;
  const table = renderFitted(
    {
      head: [`${r.suite} case`, ...(withVariant ? ['page'] : []), ...r.policies],
      rows,
      align: [...Array<'left'>(fixed).fill('left'), ...r.policies.map((): 'left' => 'left')],
      fixed,
    },
    width,
  );
  const n = verdictCounts(r);
  const out = [table];
  if (notes.length > 0) out.push('', ...notes.map((t, i) => wrap(`[${i + 1}] ${t}`, width - 4).replace(/\n/g, '\n    ')));
  out.push('', `${groups.length} cases${withVariant ? ` (${r.cases.length} with their page variants)` : ''} x ${r.policies.length} policies: ${n.PASS} PASS, ${n.FAIL} FAIL, ${n.SKIP} SKIP`);
  return `${out.join('\n')}\n`;
}

/** The `--json` object: settings, policies, and each case with its verdict and reason per policy. */
export function selftestJson(r: SelftestReport): object {
  return {
    suite: r.suite,
    settings: r.settings,
    policies: r.policies,
    counts: verdictCounts(r),
    cases: r.cases.map((c, i) => ({
      id: c.id,
      name: c.name,
      variant: c.variant,
      results: Object.fromEntries(r.verdicts[i]!.map((v) => [v.policy, { verdict: v.verdict, reason: v.reason }])),
    })),
  };
}

/** The `--csv` text: `policy,suite,case,variant,verdict,reason`, policies in the order given, then cases. */
export function selftestCsv(r: SelftestReport): string {
  const data: string[][] = [];
  r.policies.forEach((_, j) => {
    for (const row of r.verdicts) {
      const v = row[j]!;
      data.push([v.policy, v.suite, v.case, v.variant, v.verdict, v.reason]);
    }
  });
  const text = Papa.unparse({ fields: ['policy', 'suite', 'case', 'variant', 'verdict', 'reason'], data }, { newline: '\n' });
  return text.endsWith('\n') ? text : `${text}\n`;
}
