/**
 * `mmreplay selftest cow|migration [--policy P ...] [--json] [--csv FILE]`: generate each case of
 * the kernel selftest as a tiny event table, replay it under each policy and print a PASS/FAIL
 * table with the reason of each failure in the selftest's own words (docs/selftest.md).
 * A FAIL is a finding, not an error: the exit status is 0 unless the usage is bad (2).
 */
import type { Argv } from 'yargs';
import { PRESET_NAMES } from '../replay/policies/presets.js';
import { runCowSelftest } from '../selftest/cow.js';
import { MIGRATION_DEFAULTS, runMigrationSelftest } from '../selftest/migration.js';
import { renderSelftest, selftestCsv, selftestJson } from '../selftest/render.js';
import { SUITES, type SelftestReport, type Suite } from '../selftest/types.js';
import { usageError } from '../util/errors.js';
import { resolvePolicies, type CommandFactory } from './common.js';
import { AtomicFile } from './atomic_file.js';
import { outputPath } from './fsinput.js';
import { println, showProgress, type CliIO } from './io.js';

/** Parsed `selftest` flags. */
interface SelftestArgs {
  suite: Suite;
  policy?: string[];
  json: boolean;
  csv?: string;
  seed: number;
  readers: number;
  iterations: number;
}

function positiveInt(name: string, v: number, min: number): void {
  if (!Number.isSafeInteger(v) || v < min) throw usageError(`--${name} takes an integer >= ${min}`, String(v));
}

/** The `selftest` command. */
export const selftestCommand: CommandFactory = (io) => ({
  command: 'selftest <suite>',
  describe: 'Replay the kernel selftest cases (cow.c, migration.c) under each policy: PASS/FAIL with the selftest\'s reasons',
  builder: (y: Argv) =>
    y
      .positional('suite', { choices: SUITES, describe: 'cow: tools/testing/selftests/mm/cow.c anonymous cases; migration: migration.c private_anon/shared_anon' })
      .option('policy', { type: 'string', array: true, describe: `Policy (preset, axis=variant pairs, or preset+overrides); repeat to compare (default: every preset: ${PRESET_NAMES.join(', ')})` })
      .option('json', { type: 'boolean', default: false, describe: 'Print cases x policies with verdict and reason as JSON instead of the table' })
      .option('csv', { type: 'string', describe: 'Also write policy,suite,case,variant,verdict,reason to this CSV file' })
      .option('seed', { type: 'number', default: 1, describe: 'Seed of the machine (and of the migration tables)' })
      .option('readers', { type: 'number', default: MIGRATION_DEFAULTS.readers, describe: 'migration: reader threads (private_anon) or forked readers (shared_anon)' })
      .option('iterations', { type: 'number', default: MIGRATION_DEFAULTS.iterations, describe: 'migration: move_pages() calls of the main thread (the selftest loops for 20 s)' })
      .epilogue('Exit status 0 even when cases FAIL (they are findings), 2 on bad usage. Cases, events, verdict rules and sources: docs/selftest.md.')
      .example('$0 selftest cow', 'every cow.c anonymous case under every preset')
      .example('$0 selftest migration --policy linux-2.6.34-rc --policy linux-6.12 --readers 2', 'two kernels, two readers')
      .example('$0 selftest cow --policy linux-6.12+gup_cow=none --csv cow.csv', 'a what-if, saved as CSV'),
  handler: async (args) => {
    await runSelftest(io, args as unknown as SelftestArgs);
  },
});

/** Run one suite as the command does and print it; returns the report. */
export async function runSelftest(io: CliIO, a: SelftestArgs): Promise<SelftestReport> {
  positiveInt('seed', a.seed, 0);
  positiveInt('readers', a.readers, 1);
  positiveInt('iterations', a.iterations, 1);
  const specs = a.policy !== undefined && a.policy.length > 0 ? a.policy : PRESET_NAMES;
  const policies = resolvePolicies(specs, undefined, PRESET_NAMES[PRESET_NAMES.length - 1]!);
  const csvPath = a.csv !== undefined ? outputPath(a.csv, io.cwd) : undefined;
  const progress = showProgress(io);
  if (progress) io.stderr.write(`\rreplaying selftest ${a.suite} under ${policies.length} policies\x1b[K`);
  let report: SelftestReport;
  try {
    report = a.suite === 'cow'
      ? runCowSelftest(policies, { machine: { seed: a.seed } })
      : runMigrationSelftest(policies, { readers: a.readers, iterations: a.iterations, seed: a.seed });
  } finally {
    if (progress) io.stderr.write('\r\x1b[K');
  }
  if (csvPath !== undefined) {
    const file = new AtomicFile(csvPath, a.csv);
    try {
      file.write(selftestCsv(report));
      file.commit();
    } catch (err) {
      file.discard();
      throw err;
    }
  }
  if (a.json) println(io.stdout, JSON.stringify(selftestJson(report), null, 2));
  else io.stdout.write(renderSelftest(report, Math.min(120, io.stdout.columns ?? 120)));
  if (csvPath !== undefined) println(io.stderr, `mmreplay: wrote ${a.csv}`);
  return report;
}
