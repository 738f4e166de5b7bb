/**
 * Ingest bench (issue 2): on generated inputs of `--rows` rows (default 10 million), each
 * measured in its own child process:
 * - papaparse's own parse rate of the CSV (the baseline);
 * - mmreplay's CSV ingest rate in one thread (target: at least 90% of papaparse's rate), by wall
 *   time and by CPU time (the latter barely moved by other load on the machine);
 * - the same with two CSV worker threads (target: above papaparse's single-threaded rate);
 * - perf script text ingest, exceptions:page_fault_user lines, in one thread and with two worker
 *   threads parsing the fault lines (`mmreplay ingest`'s default on a multi-core machine)
 *   (target: 1.5 million rows/s);
 * - valgrind lackey ingest (baseline: the CSV ingest rate; no target);
 * - peak RSS of each (target: under 1 GiB).
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generated, type GeneratedKind } from './lib/generate.js';
import { bestOf } from './lib/best.js';
import type { BenchContext, BenchLine, BenchSection } from './run.js';

interface ChildResult {
  rows?: number;
  seconds?: number;
  cpuSeconds?: number;
  maxRssMiB?: number;
  error?: string;
}

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'lib', 'child.js');

/** Runs per measurement; the fastest is kept (other load on the machine only slows runs down). */
const RUNS = 2;

function measureOnce(mode: string, file: string, ctx: BenchContext): ChildResult {
  ctx.log(`measuring ${mode} on ${file}`);
  try {
    const out = execFileSync(process.execPath, ['--max-old-space-size=4096', CHILD, mode, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
  } catch (err) {
    // A crashed child is reported on its line; the other measurements still stand.
    const stderr = String((err as { stderr?: unknown }).stderr ?? err).trim().split('\n');
    return { error: `child failed: ${stderr.find((l) => /Error/.test(l)) ?? stderr[0]}` };
  }
}

/** Best time of RUNS runs, the least CPU time, and the largest peak RSS seen. */
function measure(mode: string, file: string, ctx: BenchContext): ChildResult {
  let cpuSeconds = Infinity;
  const best = bestOf(RUNS, () => {
    const r = measureOnce(mode, file, ctx);
    cpuSeconds = Math.min(cpuSeconds, r.cpuSeconds ?? Infinity);
    return r;
  });
  return best.error !== undefined ? best : { ...best, cpuSeconds };
}

const rate = (r: ChildResult): number => (r.rows !== undefined && r.seconds ? r.rows / r.seconds : NaN);
/** Rows per CPU second (all threads): the fair single-thread comparison on a busy machine. */
const cpuRate = (r: ChildResult): number => (r.rows !== undefined && r.cpuSeconds ? r.rows / r.cpuSeconds : NaN);
const GiB_MiB = 1024;

function rssLine(name: string, r: ChildResult, base: ChildResult): BenchLine {
  return {
    name: `${name} peak RSS`, value: r.maxRssMiB ?? NaN, unit: 'MiB',
    baseline: { name: 'papaparse alone', value: base.maxRssMiB ?? NaN },
    target: { of: 'value', op: '<=', threshold: GiB_MiB },
  };
}

/** The `ingest` bench section (`npm run bench -- --only ingest`). */
export const section: BenchSection = {
  name: 'ingest',
  async run(ctx) {
    const file = (k: GeneratedKind): string => generated(k, ctx.rows, ctx.log);
    const csvFile = file('csv');
    const papa = measure('papaparse', csvFile, ctx);
    const csv = measure('csv', csvFile, ctx);
    const csv2 = measure('csv:2', csvFile, ctx);
    const perf = measure('perf', file('perf'), ctx);
    const perf2 = measure('perf:2', file('perf'), ctx);
    const lackey = measure('lackey', file('lackey'), ctx);
    const papaRate = { name: 'papaparse alone', value: rate(papa) };
    const rows = `${ctx.rows.toLocaleString('en-US')} rows, best of ${RUNS}`;
    const lines: BenchLine[] = [
      { name: 'papaparse parse rate (baseline)', value: rate(papa), unit: 'rows/s', note: rows },
      { name: 'csv ingest rate, 1 thread', value: rate(csv), unit: 'rows/s', baseline: papaRate,
        target: { of: 'ratio', op: '>=', threshold: 0.9 }, note: csv.error },
      { name: 'csv ingest rate, 2 worker threads', value: rate(csv2), unit: 'rows/s', baseline: papaRate,
        target: { of: 'ratio', op: '>=', threshold: 1 }, note: csv2.error },
      { name: 'csv ingest per CPU-second, 1 thread', value: cpuRate(csv), unit: 'rows/cpu-s',
        baseline: { name: 'papaparse alone', value: cpuRate(papa) }, target: { of: 'ratio', op: '>=', threshold: 0.9 },
        note: 'CPU time: robust to other load on the machine' },
      { name: 'perf script ingest rate', value: rate(perf), unit: 'rows/s', baseline: papaRate,
        target: { of: 'value', op: '>=', threshold: 1.5e6 },
        note: perf.error === undefined ? 'exceptions:page_fault_user lines, 1 thread' : `perf reader not available: ${perf.error}` },
      { name: 'perf script ingest rate, 2 worker threads', value: rate(perf2), unit: 'rows/s', baseline: papaRate,
        target: { of: 'value', op: '>=', threshold: 1.5e6 }, note: perf2.error ?? 'exceptions:page_fault_user lines' },
      { name: 'lackey ingest rate', value: rate(lackey), unit: 'rows/s', baseline: papaRate, note: lackey.error },
      rssLine('papaparse', papa, papa), rssLine('csv ingest, 1 thread', csv, papa), rssLine('csv ingest, 2 workers', csv2, papa),
      rssLine('perf ingest', perf, papa), rssLine('perf ingest, 2 workers', perf2, papa), rssLine('lackey ingest', lackey, papa),
    ];
    return lines;
  },
};
