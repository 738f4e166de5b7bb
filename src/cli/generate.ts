/**
 * `mmreplay generate SCENARIO [--threads N] [--seed S] [--set key=value ...] -o TRACE.arrow|.csv`:
 * run a synthetic scenario (src/ingest/synthetic) and write its events atomically, as Arrow IPC
 * or CSV by the output's extension. The same scenario, parameters and seed give the same bytes.
 */
import type { RecordBatch } from 'apache-arrow';
import type { Argv } from 'yargs';
import { EventBatchBuilder } from '../ingest/batch.js';
import { BAD, TOO_BIG, parseDec } from '../ingest/numbers.js';
import { BATCH_ROWS, MAX_VALUE_TEXT } from '../ingest/schema.js';
import { findScenario, scenarioParams, startScenario, syntheticMetadata, SCENARIOS } from '../ingest/synthetic/index.js';
import { writerFor } from '../ingest/writer.js';
import { usageError } from '../util/errors.js';
import type { CommandFactory } from './common.js';
import { AtomicFile } from './atomic_file.js';
import { outputPath } from './fsinput.js';
import { println, showProgress, type CliIO } from './io.js';

interface GenerateArgs {
  scenario: string;
  threads?: string;
  seed: string;
  set?: string | string[];
  output: string;
}

/** Rows between progress updates on a TTY. */
const PROGRESS_ROWS = 1 << 20;

/** Parse `--seed`: a decimal integer in [0, 2^53). */
export function parseSeed(text: string): number {
  const v = parseDec(text);
  if (v === TOO_BIG) throw usageError(`--seed must be below ${MAX_VALUE_TEXT}`, text);
  if (v === BAD) throw usageError('--seed takes a non-negative decimal integer', text);
  return v;
}

/** The `generate` command. */
export const generateCommand: CommandFactory = (io) => ({
  command: 'generate <scenario>',
  describe: 'Write a synthetic trace of a kernel reproducer scenario (see: mmreplay list scenarios)',
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: `one of: ${SCENARIOS.map((s) => s.name).join(', ')}` })
      .option('threads', { type: 'string', describe: "set the scenario's thread-count parameter (shorthand for its --set key)" })
      .option('seed', { type: 'string', default: '1', describe: 'seed of the generator; same seed, same bytes' })
      .option('set', { type: 'string', describe: 'scenario parameter key=value (repeatable); see mmreplay list scenarios' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'output TRACE.arrow (Arrow IPC) or TRACE.csv' })
      .example('$0 generate migration-selftest --set mode=shared_anon --threads 4 -o mig.arrow', '')
      .example('$0 generate mixed --seed 7 -o mixed.csv', ''),
  handler: (args) => runGenerate(args as unknown as GenerateArgs, io),
});

async function runGenerate(argv: GenerateArgs, io: CliIO): Promise<void> {
  const scenario = findScenario(argv.scenario);
  const seed = parseSeed(argv.seed);
  const sets = argv.set === undefined ? [] : ([] as string[]).concat(argv.set);
  const params = scenarioParams(scenario, sets, argv.threads);
  const target = outputPath(argv.output, io.cwd);

  const pending: RecordBatch[] = [];
  const builder = new EventBatchBuilder((b) => pending.push(b));
  const timeline = startScenario(scenario, params, seed, builder);
  const file = new AtomicFile(target, argv.output);
  const writer = writerFor(target, file, syntheticMetadata(scenario, params, seed, 0));
  const progress = showProgress(io);
  try {
    let more = true;
    let nextReport = PROGRESS_ROWS;
    while (more) {
      more = timeline.advance(BATCH_ROWS);
      if (!more) builder.flush();
      for (const b of pending.splice(0)) await writer.write(b);
      if (progress && timeline.rows >= nextReport) {
        io.stderr.write(`\rgenerate: ${timeline.rows.toLocaleString('en-US')} events`);
        nextReport += PROGRESS_ROWS;
      }
    }
    await writer.finish(syntheticMetadata(scenario, params, seed, timeline.rows));
    file.commit();
  } catch (err) {
    await writer.abort();
    file.discard();
    throw err;
  }
  if (progress && timeline.rows >= PROGRESS_ROWS) io.stderr.write('\n');
  const s = timeline.summary();
  println(
    io.stdout,
    `${argv.output}: ${s.rows} events, ${s.processes} process${s.processes === 1 ? '' : 'es'}, ${s.threads} thread${s.threads === 1 ? '' : 's'}, ` +
      `${(s.lastTs / 1e6).toFixed(3)} ms of trace (${scenario.name}, seed ${seed})`,
  );
}
