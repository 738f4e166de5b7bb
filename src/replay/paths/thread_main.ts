/**
 * A traced thread's program: its rows in file order. Each row starts at its arrival time
 * (DESIGN.md "Timing": `trace` = max(ts, end of the previous row); `gap` = end of the previous
 * row plus the recorded gap) and runs its op; the latency of the row is recorded under the path
 * that served it. Hits are handled inline; anything else goes through the kernel paths.
 */
import type { Kernel, Thread } from '../kernel.js';
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

export function* thread_main(k: Kernel, task: Thread, rows: ThreadRows, cols: EventColumns, gapTiming: boolean): Path<void> {
  const cpn = k.costs.cyclesPerNs;
  const hitCost = k.costs.access_hit;
  const stats = k.stats;
  const hit: Histogram[] = [stats.latencyOf('read', 'hit'), stats.latencyOf('write', 'hit'), stats.latencyOf('fetch', 'hit')];
  const e = k.engine;
  const heap = e.heap;
  // Hits that ran ahead inline took exactly hitCost: counted here, recorded in bulk at the end.
  const inlineHits = [0, 0, 0];
  // The histogram of the last path each access op was served by (latencyOf() without the two
  // string-keyed map lookups when the path repeats, as it does in runs of faults).
  const lastPath: string[] = ['', '', ''];
  const lastHist: (Histogram | null)[] = [null, null, null];
  const ev = k.events;
  let prevTs = -1;
  for (let r = rows.next(); r >= 0; r = rows.next()) {
    const op = cols.op[r]!;
    if (op >= FIRST_OBSERVATION_OP) continue;
    if (task.exited) {
      stats.count('ops_after_exit');
      continue;
    }
    const ts = Math.round(cols.ts[r]! * cpn);
    const start = gapTiming && prevTs >= 0 ? k.now + (ts - prevTs) : ts;
    prevTs = ts;
    if (start > k.now) yield waitUntil(k, task, start);
    const t0 = k.now;
    stats.summary.events++;
    if (op <= Op.fetch) {
      const addr = cols.addr[r]!;
      const write = op === Op.write;
      const len = cols.len[r]!;
      // Hot path: a single-page access whose PTE allows it.
      const singlePage = (addr % 4096) + len <= 4096;
      if (singlePage && tryAccess(k, task, addr, write)) {
        // Run ahead inline when nothing can happen before the access ends (no event, tick or
        // pending interrupt): exactly what yielding would do, without the generator round trip.
        const end = e.now + hitCost;
        const cpu = task.cpu!;
        if (end < heap.minTime() && end < cpu.nextTick && cpu.pendingIrq === 0) {
          e.now = end;
          inlineHits[op]!++;
        } else {
          yield hitCost;
          hit[op]!.record(e.now - t0);
        }
        if (ev !== null) ev.event(r, task.tid, op, 'hit', 'ok', t0, e.now, 0);
        continue;
      }
      task.path = '';
      task.faulted = false;
      task.retries = 0;
      const violations = stats.summary.integrity_violations;
      if (singlePage && faultable(task, addr)) {
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
  for (let op = 0; op < 3; op++) hit[op]!.recordMany(hitCost, inlineHits[op]!);
}
