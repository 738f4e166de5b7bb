/**
 * Replay a selftest's event table under each policy and keep, besides the PolicyResult, the
 * outcome of every event (the `events.arrow` rows: which path served it, whether an integrity
 * finding happened during it) and the refcount-check failures migrate_pages reports on the
 * timeline. Verdicts are read from these, never from a policy's name.
 */
import type { EventColumns } from '../replay/row_loop.js';
import type { Policy } from '../replay/policies/types.js';
import { replay } from '../replay/replay.js';
import type { EventRecorder, MachineConfig, PolicyResult, TimelineRecorder } from '../replay/result.js';

/** One replayed event (an events.arrow row). */
export interface EventOutcome {
  row: number;
  tid: number;
  op: number;
  path: string;
  /** `ok`, `violation` (an integrity finding during the event) or `sigsegv`. */
  outcome: string;
  startCycles: number;
  endCycles: number;
}

/** A failed reference-count check of migrate_pages() (the timeline's `refcount-failure`). */
export interface RefcountFailure {
  tid: number;
  cycles: number;
  /** migrate_pages() pass, from 0 (NR_MAX_MIGRATE_PAGES_RETRY passes in all). */
  pass: number;
}

/** One policy's replay with its per-event outcomes. */
export interface ReplayOutcomes {
  result: PolicyResult;
  /** Events in the order they ended. */
  events: EventOutcome[];
  /** Empty unless `refcountFailures` was asked for. */
  refcountFailures: RefcountFailure[];
}

/** The machine a selftest runs on: docs/design.md's defaults (2 nodes, one CPU per thread, zram swap). */
export const SELFTEST_MACHINE: MachineConfig = {
  cpus: 0, nodes: 2, cpuGhz: 3, hz: 1000, memoryLimitBytes: null, swap: 'zram', disk: 'nvme',
  timing: 'trace', autoVma: false, seed: 1,
};

/** Replay `cols` under every policy; one ReplayOutcomes per policy, in order. */
export function replayOutcomes(
  cols: EventColumns,
  policies: readonly Policy[],
  opts: { machine?: Partial<MachineConfig>; name: string; refcountFailures?: boolean },
): ReplayOutcomes[] {
  const events: EventOutcome[][] = policies.map(() => []);
  const failures: RefcountFailure[][] = policies.map(() => []);
  let current = 0;
  const recorder: EventRecorder = {
    policy(index) {
      current = index;
    },
    event(row, tid, op, path, outcome, startCycles, endCycles) {
      events[current]!.push({ row, tid, op, path, outcome, startCycles, endCycles });
    },
    flush: () => Promise.resolve(),
  };
  const result = replay(cols, {
    machine: { ...SELFTEST_MACHINE, ...opts.machine },
    policies: [...policies],
    trace: { path: `selftest:${opts.name}`, sha256: '-', rows: cols.ts.length },
    events: recorder,
    timeline: opts.refcountFailures === true ? refcountTimeline(() => failures[current]!) : null,
  });
  return result.policies.map((r, i) => ({ result: r, events: events[i]!, refcountFailures: failures[i]! }));
}

/** A timeline recorder that keeps only migrate_pages()' refcount-check failures. */
function refcountTimeline(sink: () => RefcountFailure[]): TimelineRecorder {
  return {
    policy() {},
    task() {},
    begin() {},
    end() {},
    lockHold() {},
    instant(tid, name, cycles, args) {
      if (name !== 'refcount-failure') return;
      const pass = Number(args?.pass);
      sink().push({ tid, cycles, pass: Number.isInteger(pass) ? pass : -1 });
    },
  };
}
