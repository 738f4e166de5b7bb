/**
 * The interleaver behind every synthetic scenario. A scenario describes each emulated thread as a
 * list of phases (loops of a small step function); the timeline runs the thread whose next row is
 * earliest, so the trace comes out in nondecreasing `ts` across the whole file, every thread's rows
 * stay in program order, and a forked child's rows come after its `fork` row.
 *
 * Running in global time order also gives scenarios honest cross-thread coordination: state a
 * step writes at time T is seen by every step that runs at a later time, the way a flag written
 * by one thread is seen by the others. A migrator can stop its readers, a parent can wait for a
 * child, without any per-row objects.
 *
 * Hot path: one heap sift and one closure call per row, rows pushed as plain numbers into an
 * `EventOut` (an `EventBatchBuilder` satisfies it).
 */
import { Op } from '../schema.js';
import { Rng } from '../../util/rng.js';
import { RNG_STREAMS } from '../../util/rng_streams.js';

/** Where generated rows go; `EventBatchBuilder` satisfies it, tests may collect into arrays. */
export interface EventOut {
  push(ts: number, pid: number, tid: number, op: number, addr: number, len: number, arg: number): void;
}

/** Returned by a step instead of a delay: this phase is over, go on to the next one now. */
export const END = -1;

/**
 * One step of a thread: emit zero or more rows at `t.ts` (never after moving `t.ts`), and return
 * the delay in ns until this thread's next step, or END to finish the phase.
 * `i` counts the calls within the phase from 0.
 */
export type StepBody = (t: SimThread, i: number) => number;

/** A loop of `count` steps (Infinity: until a step returns END). */
export interface Phase {
  readonly count: number;
  readonly body: StepBody;
}

/** A phase of `count` steps. */
export function repeat(count: number, body: StepBody): Phase {
  return { count, body };
}

/** A phase of one step. */
export function once(body: StepBody): Phase {
  return { count: 1, body };
}

/** A phase that runs until its step returns END. */
export function until(body: StepBody): Phase {
  return { count: Infinity, body };
}

/** A phase that only waits `ns` (no row). */
export function sleep(ns: number): Phase {
  return { count: 1, body: () => ns };
}

/** A phase that waits (no rows), checking `ready()` every `pollNs`, e.g. pthread_join or waitpid. */
export function waitFor(ready: () => boolean, pollNs: number): Phase {
  return until(() => (ready() ? END : pollNs));
}

/** A phase that waits (no row) until absolute time `ts()` (no-op when it has passed). */
export function sleepUntil(ts: () => number): Phase {
  return once((t) => Math.max(0, ts() - t.ts));
}

/** A phase that ends the thread with an `exit` row. */
export function exitPhase(): Phase {
  return once((t) => {
    t.emit(Op.exit, 0, 0, 0);
    return END;
  });
}

/** One emulated thread: its ids, clock, private random stream and program. */
export class SimThread {
  /** Rows of this thread so far. */
  rows = 0;
  private phaseIdx = 0;
  private iter = 0;

  /**
   * @param ts time of the next row, ns
   * @param rng this thread's own stream (seeded by the scenario seed and the tid)
   * @param seq spawn order, the tie-break between threads at the same `ts`
   */
  constructor(
    readonly timeline: Timeline,
    readonly pid: number,
    readonly tid: number,
    public ts: number,
    private readonly phases: readonly Phase[],
    readonly rng: Rng,
    readonly seq: number,
  ) {}

  /** Emit one row of this thread at its current time. */
  emit(op: number, addr: number, len: number, arg: number): void {
    this.rows++;
    this.timeline.emitRow(this.ts, this.pid, this.tid, op, addr, len, arg);
  }

  /**
   * fork(): emit the `fork` row (arg = child pid) and start the child process, whose first thread
   * has tid = child pid, `delayNs` (at least 1) after the fork row. Returns the child pid.
   */
  fork(delayNs: number, childPhases: (childPid: number) => Phase[]): number {
    const child = this.timeline.allocId();
    this.emit(Op.fork, 0, 0, child);
    this.timeline.startThread(child, child, this.ts + Math.max(1, delayNs), childPhases(child));
    return child;
  }

  /** pthread_create(): start another thread of this process `delayNs` from now. Returns its tid. */
  spawnThread(delayNs: number, phases: (tid: number) => Phase[]): number {
    const tid = this.timeline.allocId();
    this.timeline.startThread(this.pid, tid, this.ts + Math.max(0, delayNs), phases(tid));
    return tid;
  }

  /** `ns` varied uniformly by up to +-`pct` percent, rounded to whole ns (at least 0). */
  jitter(ns: number, pct = 25): number {
    const spread = Math.floor((ns * pct) / 100);
    return spread <= 0 ? ns : ns - spread + this.rng.int(2 * spread + 1);
  }

  /** Run one step; false when the thread has no phases left. @internal */
  step(): boolean {
    const phases = this.phases;
    for (;;) {
      if (this.phaseIdx >= phases.length) return false;
      const p = phases[this.phaseIdx]!;
      if (this.iter >= p.count) {
        this.phaseIdx++;
        this.iter = 0;
        continue;
      }
      const d = p.body(this, this.iter++);
      if (d < 0) {
        this.phaseIdx++;
        this.iter = 0;
      } else {
        this.ts += d;
      }
      return true;
    }
  }
}

/** What a finished (or partial) generation produced. */
export interface TimelineSummary {
  rows: number;
  processes: number;
  threads: number;
  /** ts of the last row, ns. */
  lastTs: number;
}

/**
 * The set of running threads, ordered by `(ts, seq)` in a binary heap, and the id allocator
 * (pids and tids share one namespace, as in Linux).
 */
export class Timeline {
  /** Rows emitted so far. */
  rows = 0;
  private lastTs = 0;
  private nextId: number;
  private seq = 0;
  private processes = 0;
  private readonly heap: SimThread[] = [];

  /**
   * @param out where rows go
   * @param seed the scenario seed; each thread draws from stream = its tid
   * @param firstId the first pid handed out
   */
  constructor(private readonly out: EventOut, readonly seed: number, firstId = 1000) {
    this.nextId = firstId;
  }

  /** A fresh pid or tid. */
  allocId(): number {
    return this.nextId++;
  }

  /** A random stream of this scenario that belongs to no thread (e.g. for shared choices). */
  sharedRng(stream: number): Rng {
    // Thread streams are tids (>= firstId); shared streams sit far above any tid.
    return new Rng(this.seed, RNG_STREAMS.scenarioShared + stream);
  }

  /** Start a new process at time `ts`: its main thread has tid = pid. Returns the pid. */
  process(ts: number, phases: (pid: number) => Phase[]): number {
    const pid = this.allocId();
    this.startThread(pid, pid, ts, phases(pid));
    return pid;
  }

  /** Add a thread to the run queue. @internal (use `process`, `SimThread.fork`, `spawnThread`) */
  startThread(pid: number, tid: number, ts: number, phases: Phase[]): SimThread {
    if (pid === tid) this.processes++;
    const t = new SimThread(this, pid, tid, ts, phases, new Rng(this.seed, tid), this.seq++);
    this.heap.push(t);
    this.siftUp(this.heap.length - 1);
    return t;
  }

  /** Push one row; rows must come in nondecreasing `ts` (guaranteed by the heap order). */
  emitRow(ts: number, pid: number, tid: number, op: number, addr: number, len: number, arg: number): void {
    if (ts < this.lastTs) {
      throw new Error(`synthetic timeline: thread ${tid} emitted ts ${ts} after ${this.lastTs}; a step must emit before moving its clock`);
    }
    this.lastTs = ts;
    this.rows++;
    this.out.push(ts, pid, tid, op, addr, len, arg);
  }

  /** True while some thread has steps left. */
  get running(): boolean {
    return this.heap.length > 0;
  }

  /**
   * Run steps until at least `maxRows` more rows were emitted or every thread finished.
   * Returns true while there is more to run, so callers can write batches between slices.
   */
  advance(maxRows = Infinity): boolean {
    const heap = this.heap;
    const stopAt = this.rows + maxRows;
    while (heap.length > 0 && this.rows < stopAt) {
      const t = heap[0]!;
      if (t.step()) {
        this.siftDown(0);
      } else {
        const last = heap.pop()!;
        if (heap.length > 0) {
          heap[0] = last;
          this.siftDown(0);
        }
      }
    }
    return heap.length > 0;
  }

  /** Counts so far. */
  summary(): TimelineSummary {
    return { rows: this.rows, processes: this.processes, threads: this.seq, lastTs: this.lastTs };
  }

  private static before(x: SimThread, y: SimThread): boolean {
    return x.ts < y.ts || (x.ts === y.ts && x.seq < y.seq);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const x = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!Timeline.before(x, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = x;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const x = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && Timeline.before(heap[child + 1]!, heap[child]!)) child++;
      if (!Timeline.before(heap[child]!, x)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = x;
  }
}
