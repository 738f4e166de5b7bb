/**
 * A traced thread's program: its rows in file order. Each row starts at its arrival time
 * (DESIGN.md "Timing": `trace` = max(ts, end of the previous row); `gap` = end of the previous
 * row plus the recorded gap) and runs its op; the latency of the row is recorded under the path
 * that served it. Hits are handled inline; anything else goes through the kernel paths.
 */
import type { InlineResume, Kernel, Thread } from '../kernel.js';
import type { EventColumnArrays } from '../../ingest/batch.js';
import { FIRST_OBSERVATION_OP, Op, OPS } from '../../ingest/schema.js';
import { BLOCKED, type Block } from '../engine/task.js';
import type { Histogram } from '../stats/histogram.js';
import { cpu_access, faultable, faultBegin, faultEnd, tryAccess } from './cpu_access.js';
import { do_user_addr_fault } from './do_user_addr_fault.js';
import type { Path } from './vm_fault.js';
import { opHandler } from './ops.js';
import type { ThreadRows } from '../thread_rows.js';

/** The event table's columns: exactly what src/ingest/load.ts gives. */
export type EventColumns = EventColumnArrays;

/**
 * Wait for a row's arrival. The thread is idle meanwhile (its CPU takes interrupts while idle,
 * they do not delay the thread): it keeps its CPU unless another task waits for one, in which
 * case it sleeps and gives it up.
 */
function* waitUntil(k: Kernel, task: Thread, cycle: number): Path<void> {
  const e = k.engine;
  if (!e.hasRunnable()) {
    const cpu = task.cpu!;
    const idle: Block = {
      what: 'idle',
      block(t) {
        e.at(cycle, {
          fire() {
            // Ticks and IPIs that hit the idle CPU were handled while it was idle.
            cpu.wakeFromIdle(e.now);
            cpu.pendingIrq = 0;
            t.run();
          },
        });
        return BLOCKED;
      },
    };
    yield idle;
    return;
  }
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

/** The program's step while its hit loop is parked: stop; Thread.fire() resumes the loop. */
const PARK: Block = { what: 'running', sliced: true, block: () => BLOCKED };

/**
 * The row loop of a traced thread, outside its generator: rows that arrive at once and hit
 * (single-page accesses whose PTE allows them) run here, through plain calls; anything else
 * (a wait for the row's arrival, a fault, any other op) is handed to thread_main's generator.
 * A hit that cannot end before the next queued event parks the loop exactly where `yield
 * hitCost` would have stopped the generator (Task.run's arithmetic, the same heap push), and
 * the thread's heap event resumes it (Thread.fire) without resuming the generator, so threads
 * that interleave hit by hit do not pay a generator round trip per hit.
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
  /** The row and op of the parked hit. */
  private parkedRow = 0;
  private parkedOp = 0;

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
        if (task.exited) {
          stats.count('ops_after_exit');
          continue;
        }
        const ts = Math.round(cols.ts[r]! * this.cpn);
        const start = this.gapTiming && this.prevTs >= 0 ? e.now + (ts - this.prevTs) : ts;
        this.prevTs = ts;
        if (start > e.now) {
          this.waitFor = start;
          return r;
        }
      }
      this.waitFor = -1;
      this.t0 = e.now;
      stats.summary.events++;
      const op = cols.op[r]!;
      if (op > Op.fetch) return r;
      const addr = cols.addr[r]!;
      // Hot path: a single-page access whose PTE allows it.
      if ((addr % 4096) + cols.len[r]! > 4096 || !tryAccess(k, task, addr, op === Op.write)) return r;
      if (!this.hitEnds(r, op)) return PARKED;
    }
  }

  /**
   * The access of row `r` hit: charge hitCost as `yield hitCost` would. True when the hit ended
   * now (before every queued event); false when the loop parked until it ends.
   */
  private hitEnds(r: number, op: number): boolean {
    const e = this.k.engine;
    const heap = e.heap;
    const cpu = this.task.cpu!;
    const t0 = e.now;
    let t = t0 + this.hitCost;
    const min = heap.minTime();
    if (t < min && t < cpu.nextTick && cpu.pendingIrq === 0) {
      e.now = t;
      this.inlineHits[op]!++;
      this.k.events?.event(r, this.task.tid, op, 'hit', 'ok', t0, t, 0);
      return true;
    }
    // Task.run's handling of a number step: interrupts land after it, then run ahead or queue.
    if (t >= cpu.nextTick || cpu.pendingIrq !== 0) t = cpu.afterWork(this.task, t);
    if (t < min) {
      e.now = t;
      this.hitEnded(r, op, t0);
      return true;
    }
    // The thread stops here and its caller returns to the engine: Engine.park's condition.
    e.park(t, this.task);
    this.parked = true;
    this.parkedRow = r;
    this.parkedOp = op;
    return false;
  }

  private hitEnded(r: number, op: number, t0: number): void {
    const now = this.k.engine.now;
    // Most hits take exactly hitCost (no interrupt landed): counted, recorded in bulk.
    if (now - t0 === this.hitCost) this.inlineHits[op]!++;
    else this.hit[op]!.record(now - t0);
    this.k.events?.event(r, this.task.tid, op, 'hit', 'ok', t0, now, 0);
  }

  /** The parked hit ended (the thread's heap event fired): continue; true to hand to the program. */
  resume(): boolean {
    this.parked = false;
    this.hitEnded(this.parkedRow, this.parkedOp, this.t0);
    const r = this.run();
    if (r === PARKED) return false;
    this.handed = r;
    return true;
  }
}

export function* thread_main(k: Kernel, task: Thread, rows: ThreadRows, cols: EventColumns, gapTiming: boolean): Path<void> {
  const cpn = k.costs.cyclesPerNs;
  const hitCost = k.costs.access_hit;
  const stats = k.stats;
  const loop = new RowLoop(k, task, rows, cols, gapTiming);
  task.inline = loop;
  // The histogram of the last path each access op was served by (latencyOf() without the two
  // string-keyed map lookups when the path repeats, as it does in runs of faults).
  const lastPath: string[] = ['', '', ''];
  const lastHist: (Histogram | null)[] = [null, null, null];
  const ev = k.events;
  for (;;) {
    const r = loop.run();
    if (r === PARKED) {
      yield PARK;
      continue;
    }
    if (r === END) break;
    if (loop.waitFor >= 0) {
      yield waitUntil(k, task, loop.waitFor);
      loop.arrived(r);
      continue;
    }
    const t0 = loop.t0;
    const op = cols.op[r]!;
    if (op <= Op.fetch) {
      const addr = cols.addr[r]!;
      const write = op === Op.write;
      const len = cols.len[r]!;
      task.path = '';
      task.faulted = false;
      task.retries = 0;
      const violations = stats.summary.integrity_violations;
      if ((addr % 4096) + len <= 4096 && faultable(task, addr)) {
        // cpu_access()'s first iteration for a one-page access, inline (no generator of its
        // own), through the same helpers; a further fault on the page continues in cpu_access
        // with this one counted.
        faultBegin(k, task, addr, write);
        if (faultEnd(k, task, (yield do_user_addr_fault(k, task, addr, write)) as number)) {
          if (tryAccess(k, task, addr, write)) {
            if (task.path === '') task.path = 'hit';
          } else yield cpu_access(k, task, addr, len, write, 1);
        }
      } else yield cpu_access(k, task, addr, len, write);
      if (!task.runAhead(hitCost)) yield hitCost;
      const lat = k.now - t0;
      const path = task.path;
      let h = lastHist[op]!;
      if (h === null || lastPath[op] !== path) {
        h = lastHist[op] = stats.latencyOf(OPS[op]!, path);
        lastPath[op] = path;
      }
      h.record(lat);
      if (task.faulted) stats.faultLatency.record(lat);
      if (ev !== null) ev.event(r, task.tid, op, task.path, outcomeOf(task.path, violations !== stats.summary.integrity_violations), t0, k.now, task.retries);
      continue;
    }
    task.path = '';
    task.retries = 0;
    const violations = stats.summary.integrity_violations;
    if (op === Op.compute) yield Math.round(cols.arg[r]! * cpn);
    else {
      const h = opHandler(op);
      if (h === undefined) stats.count(`op_not_emulated.${OPS[op]}`);
      else yield h(k, task, { row: r, addr: cols.addr[r]!, len: cols.len[r]!, arg: cols.arg[r]! });
    }
    const path = task.path || OPS[op]!;
    stats.latencyOf(OPS[op]!, path).record(k.now - t0);
    if (ev !== null) ev.event(r, task.tid, op, path, outcomeOf(path, violations !== stats.summary.integrity_violations), t0, k.now, task.retries);
  }
  task.inline = null;
  for (let op = 0; op < 3; op++) loop.hit[op]!.recordMany(hitCost, loop.inlineHits[op]!);
}
