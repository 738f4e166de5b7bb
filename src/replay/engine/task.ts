/**
 * An emulated task (a thread of a traced process) and the step protocol kernel paths use.
 *
 * Kernel paths are generators (`Path`). They act on the model synchronously between yields and
 * yield a `Step`: a number is CPU work in cycles (the engine charges it, and interrupts may land
 * after it unless the task runs with interrupts off); an object is a `Block`, a request that may
 * put the task to sleep or spin (lock, folio, I/O, wait queue, timeout); a generator is a call.
 * Paths never move the clock themselves: only the engine does (docs/design.md "The engine").
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
export interface Program extends Generator<Step, unknown, any> {}

/**
 * A kernel path's generator type: steps out, a result code back. Call a path with
 * `const r = (yield sub()) as R` (trampolined by the engine, O(1) per step) or `yield* sub()`.
 * The same thing as Program, with the result typed.
 */
export type Path<R = number> = Generator<Step, R, any>;

/** What a kernel path yields: cycles of CPU work, a blocking request, or a path to call. */
export type Step = number | Block | Program;

/**
 * Work a task resumes without its program (the row loop's runs of cache-hitting accesses,
 * replay/row_loop.ts). While `parked`, the task's heap event belongs to it: `resume()` continues
 * it and returns true when the program must continue.
 */
export interface InlineResume {
  parked: boolean;
  resume(): boolean;
}

/**
 * What a task and the blocks it yields see of the engine (engine.ts implements it), so this
 * file needs no import of the engine: the clock (read-only), sleeping, spinning, waking, and
 * the step rule's two entry points.
 */
export interface Scheduler {
  readonly now: number;
  sleep(task: Task, block: Block): void;
  spin(task: Task, block: Block): void;
  wake(task: Task, cycle: number, latency?: number): void;
  call(cycle: number, fn: () => void): void;
  /** Engine.runAhead: charge `cycles` inline when nothing can happen meanwhile. */
  runAhead(task: Task, cycles: number): boolean;
  /** Engine.resume: the task's heap event fired. */
  resume(task: Task): void;
}

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
  /** The task opened a timeline slice for its current wait on a folio (locks/folio_lock.ts). */
  waitSliced = false;
  /** The innermost running program (the top of the call stack). */
  program: Program | null = null;
  /** Callers of `program`, innermost last (a trampoline instead of nested delegation; Engine.runProgram). */
  readonly callers: Program[] = [];
  /** Work the task resumes without its program, if any (replay/row_loop.ts). */
  inline: InlineResume | null = null;

  constructor(
    readonly engine: Scheduler,
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
   * Charge `cycles` of pure CPU work inline when the engine would run ahead over that step
   * anyway (Engine.runAhead). False means the caller must `yield cycles` as usual:
   * `if (!task.runAhead(c)) yield c;`.
   */
  runAhead(cycles: number): boolean {
    return this.engine.runAhead(this, cycles);
  }

  /** Heap callback: the engine continues the task (its inline work, or its program). */
  fire(): void {
    this.engine.resume(this);
  }
}
