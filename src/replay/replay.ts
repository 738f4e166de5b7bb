/**
 * Replay an event table under one or more policies: each from a fresh machine, the same seed,
 * in the order given. Pure: columns and settings in, a ReplayResult out (docs/style.md point 1).
 */
import { Op } from '../ingest/schema.js';
import { Rng } from '../util/rng.js';
import { resolveCostsNs, toCycles, type CostName } from './costs.js';
import { Kernel, Thread } from './kernel.js';
import { TaskState, type Task } from './engine/task.js';
import { thread_main, type EventColumns } from './row_loop.js';
import { policyVariants } from './policies/presets.js';
import type { Policy } from './policies/types.js';
import type { EventRecorder, MachineConfig, PolicyResult, ReplayResult, TimelineRecorder } from './result.js';
import { InputError } from '../util/errors.js';
import { RowBlocks, planThreads, type TracePlan } from './thread_rows.js';
import { scan_stale_migration_entries } from './paths/stale_migration_entry.js';

export { planThreads, type ThreadPlan, type TracePlan } from './thread_rows.js';

/** Everything a replay needs besides the table. */
export interface ReplayOptions {
  machine: MachineConfig;
  /** Cost overrides in ns by name (from --costs). */
  costOverrides?: Record<string, unknown>;
  policies: Policy[];
  trace: { path: string; sha256: string; rows: number };
  timeline?: TimelineRecorder | null;
  /** Called between policies (for progress display). */
  onPolicy?: (index: number, label: string) => void;
  /** Receives one row per replayed event (events.arrow). */
  events?: EventRecorder | null;
}

/** Replay `cols` under every policy of `opts` (synchronous). */
export function replay(cols: EventColumns, opts: ReplayOptions): ReplayResult {
  const { plan, machine, costsNs, costs } = prepare(cols, opts);
  const results = opts.policies.map((policy, i) => {
    const run = startPolicy(cols, plan, machine, costs, policy, i, opts);
    while (!run.k.engine.runFor(Infinity));
    return finishPolicy(run.k, policy);
  });
  return { machine, costs: costsNs as Record<CostName, number>, trace: opts.trace, policies: results };
}

/** Events fired between yields to the event loop in `replayAsync`. */
const SLICE = 1 << 17;

/**
 * The same replay, yielding to the event loop every SLICE events so streamed outputs (the
 * events table, the timeline) drain as they are produced instead of piling up in memory.
 * Identical results to `replay`.
 */
export async function replayAsync(cols: EventColumns, opts: ReplayOptions): Promise<ReplayResult> {
  const { plan, machine, costsNs, costs } = prepare(cols, opts);
  const results: PolicyResult[] = [];
  for (let i = 0; i < opts.policies.length; i++) {
    const policy = opts.policies[i]!;
    const run = startPolicy(cols, plan, machine, costs, policy, i, opts);
    while (!run.k.engine.runFor(SLICE)) await new Promise<void>((r) => setImmediate(r));
    results.push(finishPolicy(run.k, policy));
    await opts.events?.flush();
  }
  return { machine, costs: costsNs as Record<CostName, number>, trace: opts.trace, policies: results };
}

function prepare(cols: EventColumns, opts: ReplayOptions) {
  validateForMachine(cols, opts.machine);
  const plan = planThreads(cols);
  const costsNs = resolveCostsNs(opts.costOverrides ?? {});
  const machine = { ...opts.machine, cpus: opts.machine.cpus > 0 ? opts.machine.cpus : Math.max(1, plan.threads.length) };
  const costs = toCycles(costsNs, machine.cpuGhz, machine.hz);
  return { plan, machine, costsNs, costs };
}

/**
 * The latest arrival the clock can hold exactly: cycles are integers in doubles, and the replay's
 * own time (faults, I/O, sleeps) runs on past the last arrival, so arrivals stay below half of
 * 2^53 cycles (about 1.5e15 ns, 17 days, at 3 GHz). Later ones would round cycle figures and
 * change results (a trace shifted by 9e15 ns lost half its fault_max); they are rejected.
 */
export const MAX_ARRIVAL_CYCLES = 2 ** 52;

/** Input errors only the machine settings reveal: a migrate target node >= --nodes, arrivals past what the clock holds. */
function validateForMachine(cols: EventColumns, machine: MachineConfig): void {
  const maxTs = MAX_ARRIVAL_CYCLES / machine.cpuGhz;
  for (let r = 0; r < cols.op.length; r++) {
    if (cols.ts[r]! > maxTs) {
      throw new InputError({
        code: 'ts-too-large', stage: 'replay', row: r, text: String(cols.ts[r]),
        expected: `a timestamp at most ${Math.floor(maxTs)} ns at --cpu-ghz ${machine.cpuGhz} (2^52 cycles, so cycle counts stay exact); rebase the trace's ts column to its first event`,
      });
    }
    if (cols.op[r] === Op.migrate && cols.arg[r]! >= machine.nodes) {
      throw new InputError({
        code: 'bad-node', stage: 'replay', row: r, text: String(cols.arg[r]),
        expected: `a target node below --nodes ${machine.nodes} (row ${r} migrates to node ${cols.arg[r]}); raise --nodes or fix the trace`,
      });
    }
  }
}

function startPolicy(
  cols: EventColumns,
  plan: TracePlan,
  machine: MachineConfig,
  costs: ReturnType<typeof toCycles>,
  policy: Policy,
  index: number,
  opts: ReplayOptions,
): { k: Kernel } {
  opts.onPolicy?.(index, policy.label);
  const timeline = opts.timeline ?? null;
  timeline?.policy(index, policy.label);
  opts.events?.policy(index, policy.label);
  const k = new Kernel({ machine, costs, policy, rng: new Rng(machine.seed), timeline });
  k.events = opts.events ?? null;
  startThreads(k, cols, plan);
  return { k };
}

/**
 * Create the traced threads on `k` and start those of processes that exist at the start (a
 * forked process's threads wait for their fork row).
 */
export function startThreads(k: Kernel, cols: EventColumns, plan: TracePlan): void {
  const gap = k.machine.timing === 'gap';
  const timeline = k.timeline;
  const blocks = new RowBlocks(cols, plan);
  for (const tp of plan.threads) {
    const t = new Thread(k.engine, tp.tid, tp.pid, `${tp.pid}/${tp.tid}`);
    t.program = thread_main(k, t, blocks.cursor(tp), cols, gap);
    k.threads.push(t);
    timeline?.task(tp.pid, tp.tid, `${tp.pid}/${tp.tid}`);
    if (plan.forkedPids.has(tp.pid)) {
      const list = k.pendingProcesses.get(tp.pid) ?? [];
      list.push(t);
      k.pendingProcesses.set(tp.pid, list);
      continue;
    }
    let mm = k.mms.get(tp.pid);
    if (mm === undefined) mm = k.newMm(tp.pid, k.oracle.newView());
    t.mm = mm;
    mm.users++;
    k.engine.start(t, 0);
  }
}

function finishPolicy(k: Kernel, policy: Policy): PolicyResult {
  if (k.engine.live > 0) reportDeadlock(k);
  // Stale migration entries left behind are findings at the end of the run.
  scan_stale_migration_entries(k);
  return collect(k, policy);
}

/**
 * Tasks blocked with nothing left to run: an emulated deadlock. The finding lists each blocked
 * task with what it waits for and who holds that (locks know their holders; the folio lock, as
 * in the kernel, does not), then the wait-for cycle among them if there is one.
 */
export function reportDeadlock(k: Kernel): void {
  const name = (t: Task): string => `${t.pid}/${t.tid}`;
  // Threads of processes that never started (no mm) are not blocked, only never run.
  const blocked = k.engine.blockedTasks(k.threads).filter((t) => k.mms.has(t.pid) && t.mm !== undefined);
  const waitsFor = new Map<Task, readonly Task[]>();
  const detail: string[] = [];
  for (const t of blocked) {
    const holders = t.blockedOn?.holders?.() ?? [];
    waitsFor.set(t, holders);
    const held = holders.length > 0 ? `, held by ${holders.map(name).join(', ')}` : '';
    detail.push(`task ${name(t)} ${t.state === TaskState.SPINNING ? 'spins' : 'sleeps'} on ${t.blockedOn?.what ?? '?'}${held} since cycle ${t.blockedSince}`);
  }
  const cycle = waitForCycle(blocked, waitsFor);
  if (cycle.length > 0) detail.push(`wait-for cycle: ${[...cycle, cycle[0]!].map(name).join(' -> ')}`);
  k.stats.findings.push({ kind: 'deadlock', message: `${blocked.length} tasks blocked with nothing runnable`, cycles: k.now, detail });
  k.stats.summary.deadlocks++;
}

/** A cycle in the wait-for graph (task -> the holders of what it waits for), or []. */
function waitForCycle(tasks: Task[], waitsFor: Map<Task, readonly Task[]>): Task[] {
  const state = new Map<Task, number>(); // 1 on the current path, 2 done
  const path: Task[] = [];
  const visit = (t: Task): Task[] => {
    state.set(t, 1);
    path.push(t);
    for (const h of waitsFor.get(t) ?? []) {
      if (state.get(h) === 1) return path.slice(path.indexOf(h));
      if (state.get(h) === undefined && waitsFor.has(h)) {
        const c = visit(h);
        if (c.length > 0) return c;
      }
    }
    path.pop();
    state.set(t, 2);
    return [];
  };
  for (const t of tasks) {
    if (state.get(t) !== undefined) continue;
    const c = visit(t);
    if (c.length > 0) return c;
  }
  return [];
}

function collect(k: Kernel, policy: Policy): PolicyResult {
  const s = k.stats;
  s.summary.makespan_cycles = k.now;
  const locks = k.lockStats.rows();
  const waitOf = (name: string) => locks.filter((l) => l.lock === name).reduce((a, l) => a + l.wait.sum, 0);
  s.summary.mmap_lock_wait_cycles = waitOf('mmap_lock');
  s.summary.vma_lock_wait_cycles = waitOf('vma_lock');
  s.count('ticks', k.engine.cpus.reduce((a, c) => a + c.ticks, 0));
  s.count('context_switches', k.engine.contextSwitches);
  s.count('folios_resident_peak', k.pages.residentPeak);
  // Threads of a pid whose fork row never ran (e.g. the parent exited first) never start.
  for (const list of k.pendingProcesses.values()) s.count('threads_never_started', list.length);
  return {
    policy: policy.label,
    variants: policyVariants(policy),
    summary: { ...s.summary },
    faultLatency: s.faultLatency,
    latency: s.latencyRows(),
    locks,
    refcount: s.refcountRows(),
    integrity: s.integrityRows(),
    findings: s.findings,
    counters: s.counterValues(),
  };
}
