/**
 * Ingest bench (issue 2): on generated inputs of `--rows` rows (default 10 million), each
 * measured in its own child process:
 * - papaparse's own parse rate of the CSV (the baseline);
 * - mmreplay's CSV ingest rate (target: at least 90% of papaparse's rate);
 * - perf script text ingest, exceptions:page_fault_user lines (target: 1.5 million rows/s);
 * - valgrind lackey ingest (baseline: the CSV ingest rate; no target);
 * - peak RSS of each (target: under 1 GiB).
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generated, type GeneratedKind } from './lib/generate.js';
import type { BenchContext, BenchLine, BenchSection } from './run.js';

interface ChildResult {
  rows?: number;
  seconds?: number;
  maxRssMiB?: number;
  error?: string;
}

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'lib', 'child.js');

function measure(mode: string, file: string, ctx: BenchContext): ChildResult {
  ctx.log(`measuring ${mode} on ${file}`);
  const out = execFileSync(process.execPath, ['--max-old-space-size=4096', CHILD, mode, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

const rate = (r: ChildResult): number => (r.rows !== undefined && r.seconds ? r.rows / r.seconds : NaN);
const GiB_MiB = 1024;

function rssLine(name: string, r: ChildResult, base: ChildResult): BenchLine {
  return {
    name: `${name} peak RSS`, value: r.maxRssMiB ?? NaN, unit: 'MiB',
    baseline: { name: 'papaparse alone', value: base.maxRssMiB ?? NaN },
    target: { of: 'value', op: '<=', threshold: GiB_MiB },
  };
}

export const section: BenchSection = {
  name: 'ingest',
  async run(ctx) {
    const file = (k: GeneratedKind): string => generated(k, ctx.rows, ctx.log);
    const csvFile = file('csv');
    const papa = measure('papaparse', csvFile, ctx);
    const csv = measure('csv', csvFile, ctx);
    const perf = measure('perf', file('perf'), ctx);
    const lackey = measure('lackey', file('lackey'), ctx);
    const papaRate = { name: 'papaparse alone', value: rate(papa) };
    const rows = `${ctx.rows.toLocaleString('en-US')} rows`;
    const lines: BenchLine[] = [
      { name: 'papaparse parse rate (baseline)', value: rate(papa), unit: 'rows/s', note: rows },
      { name: 'csv ingest rate', value: rate(csv), unit: 'rows/s', baseline: papaRate,
        target: { of: 'ratio', op: '>=', threshold: 0.9 }, note: csv.error },
      { name: 'perf script ingest rate', value: rate(perf), unit: 'rows/s', baseline: { name: 'csv ingest', value: rate(csv) },
        target: { of: 'value', op: '>=', threshold: 1.5e6 },
        note: perf.error === undefined ? undefined : `perf reader not available: ${perf.error}` },
      { name: 'lackey ingest rate', value: rate(lackey), unit: 'rows/s', baseline: { name: 'csv ingest', value: rate(csv) }, note: lackey.error },
      rssLine('papaparse', papa, papa), rssLine('csv ingest', csv, papa), rssLine('perf ingest', perf, papa), rssLine('lackey ingest', lackey, papa),
    ];
    return lines;
  },
};
