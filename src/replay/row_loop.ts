/**
 * A traced thread's program: its rows in file order. Each row starts at its arrival time
 * (docs/design.md "Timing": `trace` = max(ts, end of the previous row); `gap` = end of the previous
 * row plus the recorded gap) and runs its op; the latency of the row is recorded under the path
 * that served it. Hits are handled inline; anything else goes through the kernel paths.
 */
import { Thread, type Kernel } from './kernel.js';
import type { EventColumnArrays } from '../ingest/batch.js';
import { FIRST_OBSERVATION_OP, Op, OPS, PAGE_SIZE } from '../ingest/schema.js';
import { BLOCKED, type Block, type InlineResume, type Path, type Step } from './engine/task.js';
import type { Histogram } from './stats/histogram.js';
import { cpu_access, faultable, faultBegin, faultEnd, tryAccess, tryAccessAt } from './paths/cpu_access.js';
import { do_user_addr_fault } from './paths/do_user_addr_fault.js';
import { opHandler } from './paths/ops.js';
import { do_exit } from './paths/do_exit.js';
import type { ThreadRows } from './thread_rows.js';
import { modPow2 } from '../util/math.js';

/** The event table's columns: exactly what src/ingest/load.ts gives. */
export type EventColumns = EventColumnArrays;

/**
 * Wait for a row's arrival while another task waits for a CPU: sleep and give the CPU up.
 * (With no task waiting, the thread keeps its CPU idle: RowLoop.idleUntil.)
 */
function* sleepUntil(k: Kernel, cycle: number): Path<void> {
  const e = k.engine;
  const block: Block = {
    what: 'arrival',
    // User-space idle until the row's arrival: not a kernel wait, no slice.
    sliced: true,
    block(t) {
      e.sleep(t, this);
      e.call(cycle, () => e.wake(t, e.now, 0));
      return BLOCKED;
    },
  };
  yield block;
}

/** events.arrow `outcome`: `sigsegv`, `violation` (an integrity finding during the event) or `ok`. */
function outcomeOf(path: string, violated: boolean): string {
  if (path === 'sigsegv') return 'sigsegv';
  return violated ? 'violation' : 'ok';
}

/** RowLoop.run(): the rows are done. */
const END = -1;
/** RowLoop.run(): a hit could not end before the next event; the thread's heap event resumes the loop. */
const PARKED = -2;

/** The program's step while its hit loop is parked: stop; Engine.resume() resumes the loop. */
const PARK: Block = { what: 'running', sliced: true, block: () => BLOCKED };

/**
 * The row loop of a traced thread, outside its generator: rows that hit (single-page accesses
 * whose PTE allows them) run here through plain calls, and so does the wait for a row's arrival
 * on an idle CPU; anything else (a fault, any other op, a wait that gives the CPU to another
 * task) is handed to thread_main's generator. A hit that cannot end before the next queued
 * event parks the loop exactly where `yield hitCost` would have stopped the generator (Engine.step's
 * arithmetic, the same heap push), and an idle wait parks it where the idle block's wake-up event
 * would have been queued; the thread's heap event resumes the loop (Engine.resume) without resuming
 * the generator. Threads that interleave hit by hit, or row by row of a recorded trace, do not
 * pay a generator round trip per row.
 */
class RowLoop implements InlineResume {
  parked = false;
  /** Cycle the handed-off row waits for before it arrives, or -1 when it has arrived. */
  waitFor = -1;
  /** Start cycle of the current row. */
  t0 = 0;
  /** Hits that took exactly hitCost: counted here, recorded in bulk at the end. */
  readonly inlineHits = [0, 0, 0];
  readonly hit: Histogram[];
  private readonly cpn: number;
  private readonly hitCost: number;
  private prevTs = -1;
  /** A row the generator must take next (handed off by a resume), or -1. */
  private handed = -1;
  /** A row that has just arrived after a wait, for run() to continue, or -1. */
  private arrivedRow = -1;
  /** The row and op of the parked hit, or the row whose arrival the idle loop awaits. */
  private parkedRow = 0;
  private parkedOp = 0;
  /** The loop is parked idle until a row's arrival (not at the end of a hit). */
  private parkedIdle = false;

  constructor(
    private readonly k: Kernel,
    private readonly task: Thread,
    private readonly rows: ThreadRows,
    private readonly cols: EventColumns,
    private readonly gapTiming: boolean,
  ) {
    this.cpn = k.costs.cyclesPerNs;
    this.hitCost = k.costs.access_hit;
    const stats = k.stats;
    this.hit = [stats.latencyOf('read', 'hit'), stats.latencyOf('write', 'hit'), stats.latencyOf('fetch', 'hit')];
  }

  /** The row `r` has arrived (after the generator waited for it): run() continues with it. */
  arrived(r: number): void {
    this.arrivedRow = r;
  }

  /**
   * Run rows until one needs the generator (returned, with `waitFor` and `t0` set), the rows
   * end (END), or a hit parks the loop (PARKED).
   */
  run(): number {
    if (this.handed >= 0) {
      const r = this.handed;
      this.handed = -1;
      return r;
    }
    const { k, task, cols } = this;
    const e = k.engine;
    const stats = k.stats;
    for (;;) {
      let r = this.arrivedRow;
      if (r >= 0) this.arrivedRow = -1;
      else {
        r = this.rows.next();
        if (r < 0) return END;
        if (cols.op[r]! >= FIRST_OBSERVATION_OP) continue;
        if (task.exited || task.oomKilled) {
          if (task.exited) {
            stats.count(task.oomKilled ? 'rows_after_oom_kill' : 'ops_after_exit');
            continue;
          }
          // SIGKILL (paths/out_of_memory.ts): the thread exits now instead of running the row.
          this.waitFor = -1;
          this.t0 = e.now;
          return r;
        }
        const ts = Math.round(cols.ts[r]! * this.cpn);
        const start = this.gapTiming && this.prevTs >= 0 ? e.now + (ts - this.prevTs) : ts;
        this.prevTs = ts;
        if (start > e.now) {
          if (e.hasRunnable()) {
            this.waitFor = start;
            return r;
          }
          if (!this.idleUntil(start, r)) return PARKED;
        }
      }
      this.waitFor = -1;
      this.t0 = e.now;
      stats.summary.events++;
      const op = cols.op[r]!;
      if (op > Op.fetch) return r;
      // Hot path: a single-page access whose PTE allows it.
      if (modPow2(cols.addr[r]!, PAGE_SIZE) + cols.len[r]! > PAGE_SIZE || !tryAccessAt(k, task, cols.addr, r, op === Op.write)) return r;
      if (!this.hitEnds(r, op)) return PARKED;
    }
  }

  /**
   * The access of row `r` hit: charge hitCost as `yield hitCost` would. True when the hit ended
   * now (before every queued event); false when the loop parked until it ends.
   */
  private hitEnds(r: number, op: number): boolean {
    const e = this.k.engine;
    const t0 = e.now;
    if (e.step(this.task, this.hitCost)) {
      this.hitEnded(r, op, t0);
      return true;
    }
    this.parkedOp = op;
    return this.parkedAt(r, false);
  }

  /**
   * The engine parked the thread until row `r`'s hit ends (or it arrives when `idle`): the
   * thread's heap event resumes the loop. Always false. The thread stops here and its callers
   * return straight to the engine: Engine.park's condition.
   */
  private parkedAt(r: number, idle: boolean): false {
    this.parked = true;
    this.parkedIdle = idle;
    this.parkedRow = r;
    return false;
  }

  private hitEnded(r: number, op: number, t0: number): void {
    const now = this.k.engine.now;
    // Most hits take exactly hitCost (no interrupt landed): counted, recorded in bulk.
    if (now - t0 === this.hitCost) this.inlineHits[op]!++;
    else this.hit[op]!.record(now - t0);
    this.k.events?.event(r, this.task.tid, op, 'hit', 'ok', t0, now, 0);
  }

  // A slow row: what run() hands over, as steps for thread_main's generator to yield. Written
  // as a small state machine instead of generator code so that the generator, resumed after
  // every fault, has few registers to save and restore.
  private stage = Stage.Op;
  private row = 0;
  private violations = 0;
  /** The histogram of the last path each access op was served by (latencyOf() without two string-keyed map lookups when the path repeats). */
  private readonly lastPath: string[] = ['', '', ''];
  private readonly lastHist: (Histogram | null)[] = [null, null, null];

  /** The first step of slow row `r`, or null when it needs none. */
  slowStart(r: number): Step | null {
    const { k, task, cols } = this;
    this.row = r;
    if (this.waitFor >= 0) {
      this.stage = Stage.Arrival;
      return sleepUntil(k, this.waitFor);
    }
    if (task.oomKilled) {
      k.stats.count('rows_after_oom_kill');
      this.stage = Stage.Killed;
      return do_exit(k, task);
    }
    const op = cols.op[r]!;
    task.path = '';
    task.retries = 0;
    this.violations = k.stats.summary.integrity_violations;
    if (op <= Op.fetch) {
      const addr = cols.addr[r]!;
      const write = op === Op.write;
      task.faulted = false;
      if (modPow2(addr, PAGE_SIZE) + cols.len[r]! <= PAGE_SIZE && faultable(task, addr)) {
        // cpu_access()'s first iteration for a one-page access, without a generator of its
        // own, through the same helpers; a further fault on the page continues in cpu_access
        // with this one counted.
        faultBegin(k, task, addr, write);
        this.stage = Stage.Fault;
        return do_user_addr_fault(k, task, addr, write);
      }
      this.stage = Stage.Access;
      return cpu_access(k, task, addr, cols.len[r]!, write);
    }
    this.stage = Stage.Op;
    if (op === Op.compute) return Math.round(cols.arg[r]! * this.cpn);
    const h = opHandler(op);
    if (h !== undefined) return h(k, task, { row: r, addr: cols.addr[r]!, len: cols.len[r]!, arg: cols.arg[r]! });
    k.stats.count(`op_not_emulated.${OPS[op]}`);
    return this.slow(undefined);
  }

  /** The next step of the slow row after the last one returned `input`, or null at its end. */
  slow(input: unknown): Step | null {
    const { k, task, cols } = this;
    const r = this.row;
    switch (this.stage) {
      case Stage.Arrival:
        this.arrived(r);
        return null;
      case Stage.Killed:
        return null;
      case Stage.Fault: {
        const addr = cols.addr[r]!;
        const write = cols.op[r] === Op.write;
        if (faultEnd(k, task, input as number)) {
          if (!tryAccess(k, task, addr, write)) {
            this.stage = Stage.Access;
            return cpu_access(k, task, addr, cols.len[r]!, write, 1);
          }
          if (task.path === '') task.path = 'hit';
        }
        return this.accessCost();
      }
      case Stage.Access:
        return this.accessCost();
      case Stage.AccessCost:
        this.accessDone();
        return null;
      case Stage.Op: {
        const op = cols.op[r]!;
        const path = task.path || OPS[op]!;
        k.stats.latencyOf(OPS[op]!, path).record(k.now - this.t0);
        k.events?.event(r, task.tid, op, path, outcomeOf(path, this.violations !== k.stats.summary.integrity_violations), this.t0, k.now, task.retries);
        return null;
      }
    }
  }

  /** The access itself after its faults: hitCost, inline when nothing can happen meanwhile. */
  private accessCost(): Step | null {
    if (!this.task.runAhead(this.hitCost)) {
      this.stage = Stage.AccessCost;
      return this.hitCost;
    }
    this.accessDone();
    return null;
  }

  /** A slow access ended: its latency under the path that served it. */
  private accessDone(): void {
    const { k, task } = this;
    const stats = k.stats;
    const r = this.row;
    const op = this.cols.op[r]!;
    const lat = k.now - this.t0;
    const path = task.path;
    let h = this.lastHist[op]!;
    if (h === null || this.lastPath[op] !== path) {
      h = this.lastHist[op] = stats.latencyOf(OPS[op]!, path);
      this.lastPath[op] = path;
    }
    h.record(lat);
    if (task.faulted) stats.faultLatency.record(lat);
    k.events?.event(r, task.tid, op, path, outcomeOf(path, this.violations !== stats.summary.integrity_violations), this.t0, k.now, task.retries);
  }

  /** The end of the rows: hits of exactly hitCost go into the histograms in bulk. */
  finish(): void {
    for (let op = 0; op < 3; op++) this.hit[op]!.recordMany(this.hitCost, this.inlineHits[op]!);
  }

  /**
   * Row `r` arrives at `start` and no task waits for a CPU: the thread keeps its CPU, idle
   * until then. True when it arrived now (nothing was queued before it); false when the loop
   * parked until `start`, where the thread's heap event resumes it.
   */
  private idleUntil(start: number, r: number): boolean {
    const e = this.k.engine;
    if (e.idleTo(this.task, start)) {
      e.endIdle(this.task);
      return true;
    }
    return this.parkedAt(r, true);
  }

  /**
   * The parked hit ended or the awaited row arrived (the thread's heap event fired): continue;
   * true to hand to the program.
   *
   * Hand-off: when the loop parks again and the event park() took out for runFor to fire next
   * is another thread's parked row loop, that loop continues here, in this same call, instead
   * of returning to runFor first. runFor would do exactly this and nothing else in between: set
   * the clock to the event's cycle and fire it, and the thread's fire() resumes its parked loop
   * and, if the loop hands a row over, runs the thread's program. So the heap, the seq counter,
   * the clock and every step run in the same order; only the JavaScript calls between two
   * threads' hits are saved (threads hitting in lockstep switch at every hit). The hand-offs
   * count against runFor's budget (Engine.parkedNext/takeParked).
   */
  resume(): boolean {
    const e = this.k.engine;
    let L = this as RowLoop;
    for (;;) {
      L.parked = false;
      if (L.parkedIdle) {
        L.parkedIdle = false;
        e.endIdle(L.task);
        L.arrivedRow = L.parkedRow;
      } else L.hitEnded(L.parkedRow, L.parkedOp, L.t0);
      const r = L.run();
      if (r !== PARKED) {
        L.handed = r;
        if (L === this) return true;
        // Engine.resume(): the loop handed a row over, the program continues.
        e.runProgram(L.task);
        return false;
      }
      const ev = e.parkedNext();
      if (!(ev instanceof Thread)) return false;
      const next = ev.inline;
      if (!(next instanceof RowLoop) || !next.parked) return false;
      e.takeParked();
      L = next;
    }
  }
}

/** Where a slow row is (RowLoop.slow): what the generator's last step was for. */
const enum Stage {
  /** Waited for the row's arrival. */
  Arrival,
  /** The first fault of a one-page access (do_user_addr_fault) returned. */
  Fault,
  /** cpu_access() (the access page by page, faulting as needed) returned. */
  Access,
  /** The access's own cost (hitCost) was charged. */
  AccessCost,
  /** Any other op's path (or compute cycles) ended. */
  Op,
  /** An OOM-killed thread's do_exit() ended. */
  Killed,
}

export function* thread_main(k: Kernel, task: Thread, rows: ThreadRows, cols: EventColumns, gapTiming: boolean): Path<void> {
  // Kept to a few variables: a generator's registers are saved and restored at every yield.
  const loop = new RowLoop(k, task, rows, cols, gapTiming);
  task.inline = loop;
  for (;;) {
    const r = loop.run();
    if (r === PARKED) {
      yield PARK;
      continue;
    }
    if (r === END) break;
    let input: unknown = undefined;
    for (let step = loop.slowStart(r); step !== null; step = loop.slow(input)) input = yield step;
  }
  task.inline = null;
  // An OOM-killed thread whose rows ran out still exits, so its memory is freed.
  if (task.oomKilled && !task.exited) yield do_exit(k, task);
  loop.finish();
}
