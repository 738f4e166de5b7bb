/**
 * `selftest migration` acceptance: migration.c's private_anon and shared_anon under the presets,
 * each expected verdict with the kernel reference it comes from (docs/kernel-sources.md B, docs/selftest.md),
 * and the two pass rules of the selftest (first failure before 6.12, 100 consecutive since).
 */
import { describe, expect, it } from 'vitest';
import { Op } from '../../src/ingest/schema.js';
import { parsePolicy, PRESET_NAMES } from '../../src/replay/policies/presets.js';
import type { PolicyResult } from '../../src/replay/result.js';
import { migrationColumns, migrationVerdict, runMigrationSelftest } from '../../src/selftest/migration.js';
import { MIGRATION_PASS_RULES, migrationPassRule } from '../../src/selftest/migration_rule.js';
import { consecutiveFailures, movePagesCalls, type MoveCall } from '../../src/selftest/move_pages_calls.js';
import { replayOutcomes, type ReplayOutcomes } from '../../src/selftest/replay_outcomes.js';

const run = (policies: string[], readers: number, iterations = 300) =>
  runMigrationSelftest(policies.map((p) => parsePolicy(p)), { readers, iterations });
const verdict = (r: ReturnType<typeof run>, c: string, policy: string) =>
  r.verdicts[r.cases.findIndex((x) => x.id === c)]![r.policies.indexOf(policy)]!;

describe('migration.c private_anon', () => {
  // 6.1+: migration_wait=ptl (ffa65753c431, 5.17): a fault on a migration entry waits without a
  // reference, so the refcount check never sees the readers; no call fails.
  const newer = PRESET_NAMES.slice(PRESET_NAMES.indexOf('linux-6.1'));
  const r = run(['linux-2.6.34-rc', ...newer], 3);

  for (const p of newer) {
    it(`passes under ${p} (ptl wait, ffa65753c431)`, () => {
      expect(verdict(r, 'private_anon', p).verdict).toBe('PASS');
    });
  }

  it('the readers did wait on migration entries (the case exercised the wait path)', () => {
    expect(verdict(r, 'private_anon', 'linux-6.12').reason).toMatch(/\[[1-9]\d* migration-entry waits\]/);
  });

  // 2.6.34-rc: migration_wait=pageref-hold: the waiter holds a page reference for its whole
  // sleep, so folio_migrate_mapping() sees an extra reference; Hugh Dickins: "with two or three
  // concurrent faulters, success becomes much less likely".
  for (const readers of [2, 3]) {
    it(`fails under linux-2.6.34-rc with ${readers} readers: "Didn't migrate 1 pages", the waiters' reference`, () => {
      const v = verdict(readers === 3 ? r : run(['linux-2.6.34-rc'], readers), 'private_anon', 'linux-2.6.34-rc');
      expect(v.verdict).toBe('FAIL');
      expect(v.reason).toMatch(/^Didn't migrate 1 pages \[first failure at call \d+ of 300; \d+ calls failed, extra reference: migration-wait;/);
    });
  }
});

describe('migration.c shared_anon', () => {
  // Readers are forked children sharing a MAP_SHARED anonymous (shmem) page; move_pages()
  // migrates it through rmap_walk_file with the page cache's reference expected.
  it('fails under linux-2.6.34-rc (pageref-hold: waiters hold a reference) and passes under linux-6.12 (ptl)', () => {
    const r = run(['linux-2.6.34-rc', 'linux-6.12'], 2, 100);
    const old = verdict(r, 'shared_anon', 'linux-2.6.34-rc');
    expect(old.verdict).toBe('FAIL');
    expect(old.reason).toMatch(/^Didn't migrate 1 pages/);
    expect(verdict(r, 'shared_anon', 'linux-6.12').verdict).toBe('PASS');
  });
});

describe('SKIP, not a verdict, when the replay cannot run the case', () => {
  it('without a move_pages() path (migrate rows not emulated)', () => {
    const cols = migrationColumns('private_anon', 1, 4, 1);
    const result = { policy: 'linux-6.12', findings: [], summary: { migrate_pages: 0 }, counters: { 'op_not_emulated.migrate': 4 } } as unknown as PolicyResult;
    expect(migrationVerdict('private_anon', cols, { result, events: [], refcountFailures: [] }, 2)).toMatchObject({ verdict: 'SKIP', reason: 'not emulated yet: move_pages() (the migrate op)' });
  });
});

describe('the pass rule of each era', () => {
  it('is data for every preset: first failure before 6.12, 100 consecutive failures since (lore 20240830051609.4037834-1-dev.jain@arm.com)', () => {
    expect(Object.keys(MIGRATION_PASS_RULES)).toEqual(PRESET_NAMES);
    for (const p of PRESET_NAMES) expect(migrationPassRule(p)).toBe(p === 'linux-6.12' ? 'consecutive-100' : 'first-failure');
    expect(migrationPassRule('linux-6.12+migration_wait=pageref-hold')).toBe('consecutive-100');
  });

  // The same kernel behaviour (a waiter holding a reference) judged by both rules: the old test
  // fails at its first failed call, the 6.12 test only at the 100th in a row.
  const r = run(['linux-6.8+migration_wait=pageref-hold', 'linux-6.12+migration_wait=pageref-hold'], 3, 300);

  it('6.8\'s test fails on the first failed call', () => {
    expect(verdict(r, 'private_anon', 'linux-6.8+migration_wait=pageref-hold').reason).toMatch(/^Didn't migrate 1 pages \[first failure at call 1 of 300/);
  });

  it('6.12\'s test fails on the 100th consecutive failure', () => {
    const v = verdict(r, 'private_anon', 'linux-6.12+migration_wait=pageref-hold');
    expect(v.verdict).toBe('FAIL');
    expect(v.reason).toMatch(/^Didn't migrate 1 pages \[100 consecutive failures at call \d+ of 300; extra reference: migration-wait\]$/);
  });

  it('6.12\'s test passes the same kernel when the run is too short for 100 failures in a row', () => {
    const short = run(['linux-6.12+migration_wait=pageref-hold'], 3, 120);
    const v = verdict(short, 'private_anon', 'linux-6.12+migration_wait=pageref-hold');
    expect(v.verdict).toBe('PASS');
    expect(v.reason).toMatch(/^\d+ of 120 calls failed, fewer than 100/);
  });
});

describe('per-call move_pages() outcomes', () => {
  const call = (outcome: MoveCall['outcome']): MoveCall => ({ row: 0, target: 0, outcome });

  it('counts failures in a row: a move resets, a no-op (the retry the trace cannot make) does not', () => {
    const calls = [call('failed'), call('noop'), call('failed'), call('noop'), call('failed'), call('moved'), call('failed')];
    expect(consecutiveFailures(calls, 3)).toEqual({ longest: 3, reachedAt: 4 });
    expect(consecutiveFailures(calls, 4)).toEqual({ longest: 3, reachedAt: -1 });
  });

  it('are recovered from a replay and agree with its counters', () => {
    const cols = migrationColumns('private_anon', 3, 60, 1);
    const [o] = replayOutcomes(cols, [parsePolicy('linux-2.6.34-rc')], { machine: { nodes: 2 }, name: 't', refcountFailures: true });
    const tid = cols.tid[cols.op.indexOf(Op.migrate)]!;
    const seq = movePagesCalls(cols, o!, tid, 2);
    expect(seq.unavailable).toBeUndefined();
    const n = (x: string) => seq.calls!.filter((c) => c.outcome === x).length;
    expect(seq.calls).toHaveLength(60);
    expect(n('failed')).toBe(o!.result.summary.migrate_failed);
    expect(n('moved')).toBe(o!.result.summary.migrate_ok);
    expect(n('noop')).toBe(o!.result.counters.migrate_same_node ?? 0);
    expect(n('failed')).toBeGreaterThan(0);
  });

  it('are reported unavailable, not guessed, when the records disagree with the counters', () => {
    const cols = migrationColumns('private_anon', 1, 4, 1);
    const result = { summary: { migrate_failed: 2 }, counters: {} } as unknown as PolicyResult;
    const o: ReplayOutcomes = { result, events: [], refcountFailures: [] };
    expect(movePagesCalls(cols, o, 1000, 2)).toEqual({ calls: null, unavailable: '0 calls seen failing on their last pass, migrate_failed = 2' });
  });
});
