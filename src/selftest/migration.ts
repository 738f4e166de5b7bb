/**
 * `selftest migration`: the cases private_anon and shared_anon of
 * tools/testing/selftests/mm/migration.c, generated with the `migration-selftest` scenario
 * (readers loop on one page while the main thread move_pages() it between nodes 0 and 1),
 * replayed on two nodes under each policy, and judged by the pass rule of that policy's
 * selftest (migration_rule.ts):
 * - FAIL "Didn't migrate 1 pages" when move_pages() left the page where it was after every pass
 *   (`migrate_failed`): on the first such call before 6.12, on the 100th in a row since;
 *   also when the replay deadlocked (TEST_F_TIMEOUT would fire);
 * - SKIP when no page was isolated for migration at all (the path the case needs is not
 *   emulated: MAP_SHARED anonymous memory is shmem, `migrate_not_anon`), or when the 6.12 rule
 *   needs per-call outcomes the replay does not give (move_pages_calls.ts);
 * - PASS otherwise.
 */
import { migrationSelftest } from '../ingest/synthetic/migration_selftest.js';
import { generateScenario, scenarioParams } from '../ingest/synthetic/index.js';
import { Op } from '../ingest/schema.js';
import type { EventColumns } from '../replay/row_loop.js';
import type { Policy } from '../replay/policies/types.js';
import type { MachineConfig, PolicyResult } from '../replay/result.js';
import { ColumnSink } from './event_rows.js';
import { migrationPassRule, MIGRATION_MAX_RETRIES } from './migration_rule.js';
import { consecutiveFailures, movePagesCalls } from './move_pages_calls.js';
import { replayOutcomes, type ReplayOutcomes } from './replay_outcomes.js';
import type { CaseVerdict, SelftestCase, SelftestReport, Verdict } from './types.js';

/** migration.c's TEST_F cases emulated (the THP variants need huge pages, not emulated). */
export const MIGRATION_CASES = ['private_anon', 'shared_anon'] as const;
/** One of MIGRATION_CASES. */
export type MigrationCase = (typeof MIGRATION_CASES)[number];

/** Size of the generated tables (small: the real test runs for RUNTIME = 20 s). */
export interface MigrationOptions {
  /** Reader threads (private_anon) or forked readers (shared_anon). */
  readers?: number;
  /** move_pages() calls of the main thread. */
  iterations?: number;
  /** Generator and machine seed. */
  seed?: number;
  machine?: Partial<MachineConfig>;
}

/** Defaults: 3 readers (a 5-CPU machine: nthreads = CPUs - 1, readers = nthreads - 1), 300 calls. */
export const MIGRATION_DEFAULTS = { readers: 3, iterations: 300 } as const;

/**
 * Scenario settings besides mode/readers/iterations: one mapped page (only the first migrates;
 * 512 first-touch faults would outlast the readers' generated loop), and 5 us between calls so
 * the generated timeline keeps up with the emulated move_pages() (about 4 us uncontended).
 */
const SCENARIO_SETS = ['map_pages=1', 'migrate_gap_ns=30000', 'read_gap_ns=500'];

/** The event table of one case. */
export function migrationColumns(c: MigrationCase, readers: number, iterations: number, seed: number): EventColumns {
  const params = scenarioParams(migrationSelftest, [`mode=${c}`, `readers=${readers}`, `iterations=${iterations}`, ...SCENARIO_SETS]);
  const sink = new ColumnSink();
  generateScenario(migrationSelftest, params, seed, sink);
  return sink.columns();
}

/** Run both cases under every policy. */
export function runMigrationSelftest(policies: readonly Policy[], opts: MigrationOptions = {}): SelftestReport {
  const readers = opts.readers ?? MIGRATION_DEFAULTS.readers;
  const iterations = opts.iterations ?? MIGRATION_DEFAULTS.iterations;
  const seed = opts.seed ?? 1;
  const machine = { nodes: 2, seed, ...opts.machine };
  const cases: SelftestCase[] = [];
  const verdicts: CaseVerdict[][] = [];
  for (const c of MIGRATION_CASES) {
    const cols = migrationColumns(c, readers, iterations, seed);
    const outs = replayOutcomes(cols, policies, { machine, name: `migration/${c}`, refcountFailures: true });
    cases.push({ id: c, name: c, variant: '-' });
    verdicts.push(outs.map((o) => migrationVerdict(c, cols, o, machine.nodes)));
  }
  return { suite: 'migration', policies: policies.map((p) => p.label), cases, verdicts, settings: { readers, iterations, seed, nodes: machine.nodes } };
}

/** The verdict of one case under one policy, from its replay. */
export function migrationVerdict(c: MigrationCase, cols: EventColumns, o: ReplayOutcomes, nodes: number): CaseVerdict {
  const r = o.result;
  const verdict = (v: Verdict, reason: string): CaseVerdict => ({ policy: r.policy, suite: 'migration', case: c, variant: '-', verdict: v, reason });
  const hang = r.findings.find((f) => f.kind === 'deadlock');
  if (hang !== undefined) return verdict('FAIL', `timeout [emulated deadlock: ${hang.message}]`);
  const s = r.summary;
  const calls = o.events.filter((e) => e.op === Op.migrate).length;
  if ((r.counters['op_not_emulated.migrate'] ?? 0) > 0) return verdict('SKIP', 'not emulated yet: move_pages() (the migrate op)');
  if (s.migrate_pages === 0) {
    // move_pages() isolated nothing: the case's pages take a path the emulator does not have.
    const what = (r.counters.migrate_not_anon ?? 0) > 0 ? 'migration of shared or file pages (shmem needs rmap_walk_file)' : 'move_pages() isolated no page';
    return verdict('SKIP', `not emulated yet: ${what} [${migrateCounters(r)}]`);
  }
  const waits = `${r.counters.migration_entry_waits ?? 0} migration-entry waits`;
  const holders = failedHolders(r);
  const rule = migrationPassRule(r.policy);
  if (rule === 'first-failure') {
    if (s.migrate_failed === 0) return verdict('PASS', `every move_pages() call migrated [${calls} calls, ${waits}]`);
    const tid = firstMigrator(cols);
    const seq = movePagesCalls(cols, o, tid, nodes);
    const at = seq.calls !== null ? ` at call ${seq.calls.findIndex((x) => x.outcome === 'failed') + 1} of ${calls}` : '';
    return verdict('FAIL', `Didn't migrate 1 pages [first failure${at}; ${s.migrate_failed} calls failed, extra reference: ${holders}; ${waits}]`);
  }
  if (s.migrate_failed < MIGRATION_MAX_RETRIES) {
    return verdict('PASS', `${s.migrate_failed} of ${calls} calls failed, fewer than ${MIGRATION_MAX_RETRIES} [${waits}]`);
  }
  const seq = movePagesCalls(cols, o, firstMigrator(cols), nodes);
  if (seq.calls === null) return verdict('SKIP', `per-call move_pages() outcomes unavailable: ${seq.unavailable}`);
  const run = consecutiveFailures(seq.calls, MIGRATION_MAX_RETRIES);
  if (run.reachedAt >= 0) {
    return verdict('FAIL', `Didn't migrate 1 pages [${MIGRATION_MAX_RETRIES} consecutive failures at call ${run.reachedAt + 1} of ${calls}; extra reference: ${holders}]`);
  }
  return verdict('PASS', `${s.migrate_failed} of ${calls} calls failed, at most ${run.longest} in a row (< ${MIGRATION_MAX_RETRIES}) [${waits}]`);
}

/** The thread that calls move_pages(): the tid of the first `migrate` row. */
function firstMigrator(cols: EventColumns): number {
  for (let i = 0; i < cols.op.length; i++) if (cols.op[i] === Op.migrate) return cols.tid[i]!;
  return -1;
}

/** Who held the reference that made the last pass fail (refcount.csv `failed` rows). */
function failedHolders(r: PolicyResult): string {
  const rows = r.refcount.filter((x) => x.path === 'migrate' && x.outcome === 'failed');
  return rows.length > 0 ? rows.map((x) => (rows.length > 1 ? `${x.holder} x${x.count}` : x.holder)).join(', ') : '-';
}

/** Non-zero migrate_* counters, e.g. `migrate_not_anon=300`. */
function migrateCounters(r: PolicyResult): string {
  const list = Object.entries(r.counters).filter(([k, v]) => k.startsWith('migrate_') && v > 0);
  return list.length > 0 ? list.map(([k, v]) => `${k}=${v}`).join(', ') : 'no migrate_* counter';
}
