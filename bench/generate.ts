/**
 * Generate bench (issue 5): synthetic scenario generation against ingesting the same events.
 * On `--rows` events (default 10 million), each measured in its own child process:
 * - `pft` generation rate into Arrow record batches (discarded, as the ingest bench discards its
 *   batches); target: at least 5 million events/s;
 * - `mixed` generation rate (the README demo scenario; heavier per row: more random draws);
 * - the same `pft` events written as CSV, then ingested by the real pipeline
 *   (bench/lib/child.js csv): generation must take less time than that ingest (ratio <= 1);
 * - peak RSS of generation (target: under 1 GiB; generation streams batch by batch).
 * Generation rates are the best of 3 runs and the ingest baseline the best of 2 (as the ingest
 * bench's), peak RSS the largest seen: single runs on a 2-core VM vary by 20% and more.
 *
 * This module is also its own child: `node bench/generate.js gen SCENARIO KEY=VALUE...` prints
 * `{rows, seconds, maxRssMiB}`; `node bench/generate.js csv FILE SCENARIO KEY=VALUE...` writes
 * the CSV.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecordBatch } from 'apache-arrow';
import { EventBatchBuilder } from '../src/ingest/batch.js';
import { BATCH_ROWS } from '../src/ingest/schema.js';
import { findScenario, scenarioParams, startScenario } from '../src/ingest/synthetic/index.js';
import { writerFor } from '../src/ingest/writer.js';
import { AtomicFile } from '../src/cli/atomic_file.js';
import { bestOf } from './lib/best.js';
import type { BenchContext, BenchLine, BenchSection } from './run.js';

interface ChildResult {
  rows?: number;
  seconds?: number;
  maxRssMiB?: number;
  error?: string;
}

const HERE = fileURLToPath(import.meta.url);
const INGEST_CHILD = join(dirname(HERE), 'lib', 'child.js');
const TARGET_RATE = 5e6;
const GiB_MiB = 1024;

/** pft settings giving about `rows` events: 8 threads x 4096 pages x iterations (+ exits). */
function pftSets(rows: number): string[] {
  const perIteration = 8 * (4096 + 2);
  return ['threads=8', 'pages=4096', `iterations=${Math.max(1, Math.round((rows - 8) / perIteration))}`];
}

/** mixed settings giving about `rows` events (about 1,640 events per ms of trace by default). */
function mixedSets(rows: number): string[] {
  return [`duration_ms=${Math.max(1, Math.round(rows / 1640))}`];
}

function child(script: string, args: string[], ctx: BenchContext): ChildResult {
  ctx.log(`${script === HERE ? 'generate' : 'ingest'} ${args.join(' ')}`);
  try {
    const out = execFileSync(process.execPath, ['--max-old-space-size=4096', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
  } catch (err) {
    return { error: err instanceof Error ? err.message.split('\n')[0] : String(err) };
  }
}

/** Runs per generation measurement (the CSV ingest baseline: 2, as in the ingest bench). */
const GEN_RUNS = 3;
const INGEST_RUNS = 2;

const rate = (r: ChildResult): number => (r.rows !== undefined && r.seconds ? r.rows / r.seconds : NaN);

export const section: BenchSection = {
  name: 'generate',
  async run(ctx) {
    const pft = pftSets(ctx.rows);
    const csvFile = join(tmpdir(), `mmreplay-bench-generate-pft-${process.pid}.csv`);
    const genPft = bestOf(GEN_RUNS, () => child(HERE, ['gen', 'pft', ...pft], ctx));
    const genMixed = bestOf(GEN_RUNS, () => child(HERE, ['gen', 'mixed', ...mixedSets(ctx.rows)], ctx));
    let ingest: ChildResult;
    try {
      const written = child(HERE, ['csv', csvFile, 'pft', ...pft], ctx);
      ingest = written.error !== undefined ? written : bestOf(INGEST_RUNS, () => child(INGEST_CHILD, ['csv', csvFile], ctx));
    } finally {
      rmSync(csvFile, { force: true });
    }
    const rows = `${(genPft.rows ?? 0).toLocaleString('en-US')} events`;
    const ingestRate = { name: 'csv ingest of the same events', value: rate(ingest) };
    const lines: BenchLine[] = [
      { name: 'pft generation rate', value: rate(genPft), unit: 'events/s', baseline: ingestRate,
        target: { of: 'value', op: '>=', threshold: TARGET_RATE }, note: genPft.error ?? rows },
      { name: 'mixed generation rate', value: rate(genMixed), unit: 'events/s', baseline: ingestRate,
        target: { of: 'value', op: '>=', threshold: TARGET_RATE }, note: genMixed.error ?? `${(genMixed.rows ?? 0).toLocaleString('en-US')} events` },
      { name: 'pft generate time vs csv ingest time', value: genPft.seconds ?? NaN, unit: 's',
        baseline: { name: 'csv ingest', value: ingest.seconds ?? NaN },
        target: { of: 'ratio', op: '<=', threshold: 1 }, note: ingest.error },
      { name: 'generation peak RSS', value: Math.max(genPft.maxRssMiB ?? NaN, genMixed.maxRssMiB ?? NaN), unit: 'MiB',
        baseline: { name: 'csv ingest', value: ingest.maxRssMiB ?? NaN },
        target: { of: 'value', op: '<=', threshold: GiB_MiB } },
    ];
    return lines;
  },
};

/** Child: generate into discarded batches and time it. */
function measureGenerate(name: string, sets: string[]): ChildResult {
  const scenario = findScenario(name);
  const params = scenarioParams(scenario, sets);
  let batches = 0;
  const builder = new EventBatchBuilder(() => { batches++; });
  const t0 = process.hrtime.bigint();
  const tl = startScenario(scenario, params, 1, builder);
  tl.advance();
  builder.flush();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { rows: tl.rows, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
}

/** Child: write the scenario's events as CSV (the ingest baseline's input), as `generate` does. */
async function writeCsv(file: string, name: string, sets: string[]): Promise<ChildResult> {
  const scenario = findScenario(name);
  const pending: RecordBatch[] = [];
  const builder = new EventBatchBuilder((b) => pending.push(b));
  const tl = startScenario(scenario, scenarioParams(scenario, sets), 1, builder);
  const out = new AtomicFile(file);
  const writer = writerFor(file, out);
  for (let more = true; more; ) {
    more = tl.advance(BATCH_ROWS);
    if (!more) builder.flush();
    for (const b of pending.splice(0)) await writer.write(b);
  }
  await writer.finish(new Map());
  out.commit();
  return { rows: tl.rows };
}

async function childMain(argv: string[]): Promise<void> {
  const [mode, ...rest] = argv;
  let result: ChildResult;
  try {
    if (mode === 'gen') result = measureGenerate(rest[0]!, rest.slice(1));
    else if (mode === 'csv') result = await writeCsv(rest[0]!, rest[1]!, rest.slice(2));
    else throw new Error(`unknown mode ${mode}; use gen or csv`);
  } catch (err) {
    result = { error: err instanceof Error ? err.message.split('\n')[0] : String(err) };
  }
  console.log(JSON.stringify(result));
}

if (process.argv[1] !== undefined && HERE === process.argv[1]) void childMain(process.argv.slice(2));
