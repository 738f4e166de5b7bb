/**
 * An emulated task (a thread of a traced process) and the step protocol kernel paths use.
 *
 * Kernel paths are generators. They act on the model synchronously between yields and yield a
 * `Step`: a number is CPU work in cycles (the clock moves by it, and interrupts may land after
 * it unless the task runs with interrupts off); an object is a `Block`, a request that may put
 * the task to sleep or spin (lock, folio, I/O, wait queue, timeout). Paths never move the clock
 * themselves (STYLE.md point 4).
 *
 * Task states (legal transitions):
 *   RUNNING  -> RUNNABLE (preempted/woken without a CPU), SPINNING (spinlock busy),
 *               SLEEPING (sleeping lock, folio, I/O, wait queue, timeout), DONE
 *   SPINNING -> RUNNING (lock handed over; the CPU was never released)
 *   SLEEPING -> RUNNABLE (woken, waiting for a CPU) or RUNNING (woken onto an idle CPU)
 *   RUNNABLE -> RUNNING
 */
import type { SimEvent } from './heap.js';
import type { Cpu } from './cpu.js';
import type { Engine } from './engine.js';

export const enum TaskState {
  RUNNING = 0,
  RUNNABLE = 1,
  SPINNING = 2,
  SLEEPING = 3,
  DONE = 4,
}

/** Returned by `Block.block` when the task stopped (sleeps or spins) and will be woken. */
export const BLOCKED = -1;

/**
 * A request that may block the task. `block` returns BLOCKED when the task must stop now (it
 * will be woken by whoever grants the request), or the cycles of work to charge when the
 * request was granted at once (e.g. an uncontended lock's atomic and cache-line cost).
 */
export interface Block {
  /** Short name for deadlock reports and timelines, e.g. `mmap_lock:W`, `folio lock`. */
  readonly what: string;
  /**
   * True when the block records its own timeline slice (locks name theirs `lock-wait:<class>`);
   * otherwise the engine records a `wait:<what>` slice around any sleep on it.
   */
  readonly sliced?: boolean;
  block(task: Task): number;
  /** The tasks holding what this block waits for, when known (locks), for deadlock reports. */
  holders?(): readonly Task[];
}

/**
 * A kernel path or a task's main program. Yielding another Program *calls* it: the task runs it
 * on its own call stack and resumes the caller with its return value (`const r = yield sub()`),
 * so each step resumes only the innermost frame. `yield* sub()` (delegation) works too, but
 * every step of the callee then passes through every delegating frame.
 */
export interface Program extends Generator<Step, unknown, any> {} // eslint-disable-line @typescript-eslint/no-explicit-any

/** What a kernel path yields: cycles of CPU work, a blocking request, or a path to call. */
export type Step = number | Block | Program;

export class Task implements SimEvent {
  state: TaskState = TaskState.RUNNABLE;
  cpu: Cpu | null = null;
  lastCpu: Cpu | null = null;
  /** Nesting depth of interrupts-off sections (spin_lock_irq). */
  irqOff = 0;
  /** What the task is blocked on, for deadlock reports. */
  blockedOn: Block | null = null;
  /** Cycle at which the current block started (wait-time accounting). */
  blockedSince = 0;
  /** The innermost running program (the top of the call stack). */
  program: Program | null = null;
  /** Callers of `program`, innermost last (a trampoline instead of nested delegation). */
  private readonly callers: Program[] = [];

  constructor(
    readonly engine: Engine,
    readonly tid: number,
    readonly pid: number,
    readonly name: string,
  ) {}

  /** The CPU the task is running on; throws if it has none (an engine bug). */
  get runningCpu(): Cpu {
    const c = this.cpu;
    if (c === null) throw new Error(`task ${this.tid} has no CPU`);
    return c;
  }

  /**
   * Charge `cycles` of pure CPU work inline when run() would run ahead over that step anyway:
   * the task is on a CPU, no tick is crossed, no interrupt is pending and the step ends before
   * every queued event. Returns true when done (the clock moved); false means the caller must
   * `yield cycles` as usual. Exactly what yielding the number would do, without the generator
   * round trip: `if (!task.runAhead(c)) yield c;`.
   */
  runAhead(cycles: number): boolean {
    const cpu = this.cpu;
    if (cpu === null) return false;
    const e = this.engine;
    const t = e.now + cycles;
    if (t >= cpu.nextTick || cpu.pendingIrq !== 0 || t >= e.heap.minTime()) return false;
    e.now = t;
    return true;
  }

  /** Heap callback: continue the program from where it stopped. */
  fire(): void {
    this.run();
  }

  /**
   * Run the program until it blocks or its next step ends after the earliest other event.
   * Steps that end before every queued event run immediately ("run ahead"): exactly what the
   * heap would do, without pushing and popping our own continuation.
   */
  run(): void {
    const e = this.engine;
    const heap = e.heap;
    let prog = this.program!;
    let input: unknown = undefined;
    for (;;) {
      const r = prog.next(input);
      input = undefined;
      if (r.done === true) {
        const caller = this.callers.pop();
        if (caller === undefined) {
          e.taskDone(this);
          return;
        }
        // Return to the caller with the callee's result.
        prog = this.program = caller;
        input = r.value;
        continue;
      }
      const s = r.value;
      let cycles: number;
      // Plain CPU work is the most common step: test for it first.
      if (typeof s === 'number') cycles = s;
      else if ('next' in s) {
        // A call: run the callee on this task's stack.
        this.callers.push(prog);
        prog = this.program = s;
        continue;
      } else {
        cycles = s.block(this);
        if (cycles < 0) return;
      }
      const cpu = this.cpu!;
      let t = e.now + cycles;
      // afterWork() only changes `t` when a tick is crossed or an interrupt is pending.
      if (t >= cpu.nextTick || cpu.pendingIrq !== 0) t = cpu.afterWork(this, t);
      if (t < heap.minTime()) {
        e.now = t;
        continue;
      }
      // run() is always the last act of the event being fired (Task.fire, an idle wake-up)
      e.park(t, this);
      return;
    }
  }
}
