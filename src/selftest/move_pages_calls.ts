/**
 * The outcome of each move_pages() call of migration.c's migrate() loop, in order, recovered
 * from a replay: the 6.12 rule needs them (100 consecutive failures), the summary counters only
 * give totals.
 *
 * The replay exposes no per-call return value, so it is inferred from two records and checked
 * against the counters before it is trusted:
 * - a one-page call failed when migrate_pages() reported a failed reference-count check on its
 *   last pass (NR_MAX_MIGRATE_PAGES_RETRY - 1) during the call (the timeline's
 *   `refcount-failure` instants of the migrating thread, inside the call's events.arrow span);
 *   the number of failed calls must equal `migrate_failed`;
 * - a call whose target is the node the page is already on is a no-op (move_pages() returns 0,
 *   `migrate_same_node`); the page's node is followed from the targets and the failures, from
 *   the start node that reproduces the `migrate_same_node` count.
 * When either check fails the outcomes are reported unavailable instead of guessed.
 */
import { Op } from '../ingest/schema.js';
import type { EventColumns } from '../replay/row_loop.js';
import type { ReplayOutcomes } from './replay_outcomes.js';

/** NR_MAX_MIGRATE_PAGES_RETRY (include/linux/migrate.h): migrate_pages() passes per call. */
const NR_MAX_MIGRATE_PAGES_RETRY = 10;

/** What one move_pages() call did to the page. */
export type MoveOutcome = 'moved' | 'failed' | 'noop';

/** One call, in the order the migrating thread made them. */
export interface MoveCall {
  row: number;
  target: number;
  outcome: MoveOutcome;
}

/** The calls, or why they could not be recovered. */
export type MoveCalls = { calls: MoveCall[]; unavailable?: undefined } | { calls: null; unavailable: string };

/** Recover the move_pages() calls of `tid` (one page each) from a replay of `cols`. */
export function movePagesCalls(cols: EventColumns, o: ReplayOutcomes, tid: number, nodes: number): MoveCalls {
  const r = o.result;
  const events = o.events.filter((e) => e.tid === tid && e.op === Op.migrate).sort((a, b) => a.startCycles - b.startCycles);
  const lastPass = o.refcountFailures.filter((f) => f.tid === tid && f.pass === NR_MAX_MIGRATE_PAGES_RETRY - 1);
  const failed = events.map((e) => lastPass.some((f) => f.cycles >= e.startCycles && f.cycles <= e.endCycles));
  const nFailed = failed.filter((f) => f).length;
  if (nFailed !== r.summary.migrate_failed) {
    return { calls: null, unavailable: `${nFailed} calls seen failing on their last pass, migrate_failed = ${r.summary.migrate_failed}` };
  }
  const other = (r.counters.migrate_not_present ?? 0) + (r.counters.migrate_busy ?? 0);
  if (other > 0) return { calls: null, unavailable: `${other} calls found no page to isolate (migrate_not_present, migrate_busy)` };
  const sameNode = r.counters.migrate_same_node ?? 0;
  for (let start = 0; start < nodes; start++) {
    const calls = follow(events.map((e) => e.row), cols, failed, start);
    if (calls.filter((c) => c.outcome === 'noop').length === sameNode) return { calls };
  }
  return { calls: null, unavailable: `no start node reproduces migrate_same_node = ${sameNode}` };
}

/** Follow the page's node from `start` through the calls. */
function follow(rows: number[], cols: EventColumns, failed: boolean[], start: number): MoveCall[] {
  let node = start;
  return rows.map((row, i) => {
    const target = cols.arg[row]!;
    if (target === node) return { row, target, outcome: 'noop' };
    if (failed[i]) return { row, target, outcome: 'failed' };
    node = target;
    return { row, target, outcome: 'moved' };
  });
}

/**
 * migration.c 6.12's failure counter over the calls: +1 per failed call, reset by a call that
 * moved the page. A no-op leaves it alone: in the kernel loop a failed call is retried with the
 * same target, while a generated table alternates targets blindly, so the call after a failure
 * targets the node the page stayed on; the retry the kernel would make is the call after that.
 * Returns the longest run and the index of the call that first reached `limit` (-1 if none).
 */
export function consecutiveFailures(calls: readonly MoveCall[], limit: number): { longest: number; reachedAt: number } {
  let run = 0;
  let longest = 0;
  let reachedAt = -1;
  calls.forEach((c, i) => {
    if (c.outcome === 'moved') run = 0;
    else if (c.outcome === 'failed') {
      run++;
      longest = Math.max(longest, run);
      if (run === limit && reachedAt < 0) reachedAt = i;
    }
  });
  return { longest, reachedAt };
}
