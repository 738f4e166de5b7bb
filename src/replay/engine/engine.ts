/**
 * The discrete-event core: a clock in integer cycles, the (cycle, seq) event heap, the CPUs and
 * the run queue. Scheduling is deliberately simple and deterministic: a woken task takes its
 * last CPU if idle, else the lowest idle CPU, else waits in one FIFO run queue; a CPU that frees
 * up takes the head of the queue, paying a context switch when it changes task.
 *
 * The engine owns time (docs/design.md "The engine"): the clock is set only here, and one rule
 * charges every step of work, `step()`: the work ends at now + cycles; ticks crossed and pending
 * interrupts land after it (Cpu.afterWork); if it then ends before every queued event the clock
 * moves there and the task runs on ("run ahead", what the heap would do without the push and
 * pop), else the task is parked in the heap at that cycle and stops. `runAhead()` is the same
 * rule's fast case for callers that charge work without a generator round trip, and `idleTo()`
 * its form for a CPU that idles until a cycle. The task trampoline (`runProgram`) and the row
 * loop (replay/row_loop.ts) both charge through these.
 */
import { EventHeap, type SimEvent } from './heap.js';
import { Cpu } from './cpu.js';
import { TaskState, type Block, type Scheduler, type Task } from './task.js';
import type { Rng } from '../../util/rng.js';
import type { TimelineRecorder } from '../result.js';

/** Scheduler settings in cycles. */
export interface EngineConfig {
  cpus: number;
  nodes: number;
  tickPeriod: number;
  tickCost: number;
  contextSwitch: number;
  wakeup: number;
}

/** A one-shot callback event. */
export class Callback implements SimEvent {
  constructor(private readonly fn: () => void) {}
  fire(): void {
    this.fn();
  }
}

export class Engine implements Scheduler {
  readonly heap = new EventHeap();
  /** The clock, in cycles: written only by this class. */
  private clock = 0;
  /** The next event to fire, already taken from the heap by park(). */
  private next: SimEvent | null = null;
  readonly cpus: Cpu[];
  private readonly runQueue: Task[] = [];
  private runQueueHead = 0;
  /** Tasks not yet DONE. */
  live = 0;
  contextSwitches = 0;
  /** Called when a task's program ends. */
  onTaskDone: (task: Task) => void = () => undefined;
  /** Timeline of the replay, if any: sleeps on blocks without their own slice get `wait:<what>`. */
  timeline: TimelineRecorder | null = null;
  private readonly waitSlices = new Set<Task>();

  constructor(readonly config: EngineConfig, rng: Rng) {
    this.cpus = [];
    for (let i = 0; i < config.cpus; i++) {
      const node = Math.min(config.nodes - 1, Math.floor((i * config.nodes) / config.cpus));
      // Stagger tick phases so CPUs do not all tick on the same cycle.
      const phase = Math.floor((config.tickPeriod * i) / config.cpus);
      this.cpus.push(new Cpu(i, node, config.tickPeriod, phase, config.tickCost, rng));
    }
  }

  /** Now, in cycles. */
  get now(): number {
    return this.clock;
  }

  /**
   * The step rule: charge `cycles` of CPU work to the running `task`. Ticks crossed and pending
   * interrupts land after the work (unless interrupts are off). True when the step ended before
   * every queued event: the clock is at its end and the task runs on. False when the task was
   * parked at the step's end (Engine.park): it must stop now, as the last act of the event
   * being fired, and its heap event continues it.
   */
  step(task: Task, cycles: number): boolean {
    const cpu = task.cpu!;
    let t = this.clock + cycles;
    // afterWork() only changes `t` when a tick is crossed or an interrupt is pending.
    if (t >= cpu.nextTick || cpu.pendingIrq !== 0) t = cpu.afterWork(task.irqOff, t);
    if (t < this.heap.minTime()) {
      this.clock = t;
      return true;
    }
    this.park(t, task);
    return false;
  }

  /**
   * The step rule's fast case: charge `cycles` inline only when nothing can happen meanwhile
   * (the task is on a CPU, no tick is crossed, no interrupt is pending, the step ends before
   * every queued event). True when charged (the clock moved); false means the caller must
   * yield the cycles as a step. Exactly what step() would do in that case.
   */
  runAhead(task: Task, cycles: number): boolean {
    const cpu = task.cpu;
    if (cpu === null) return false;
    const t = this.clock + cycles;
    if (t >= cpu.nextTick || cpu.pendingIrq !== 0 || t >= this.heap.minTime()) return false;
    this.clock = t;
    return true;
  }

  /**
   * The running `task` keeps its CPU idle until `cycle` (user-space idle: no work, so no tick
   * or interrupt lands on it). True when `cycle` comes before every queued event (the clock is
   * there now); false when the task was parked until then.
   */
  idleTo(task: Task, cycle: number): boolean {
    if (cycle < this.heap.minTime()) {
      this.clock = cycle;
      return true;
    }
    this.park(cycle, task);
    return false;
  }

  /**
   * The running `task`'s CPU idled until now (idleTo): ticks and IPIs that hit it were handled
   * while it was idle, so the tick is re-aligned and nothing is pending.
   */
  endIdle(task: Task): void {
    const cpu = task.cpu!;
    cpu.wakeFromIdle(this.clock);
    cpu.pendingIrq = 0;
  }

  /** A task's heap event fired: its parked inline work continues, else its program. */
  resume(task: Task): void {
    const i = task.inline;
    if (i !== null && i.parked && !i.resume()) return;
    this.runProgram(task);
  }

  /**
   * Run the task's program until it blocks or a step parks it (step()). A yielded program is a
   * call, run on the task's own stack (`task.callers`); a Block is asked whether the task stops.
   */
  runProgram(task: Task): void {
    let prog = task.program!;
    let input: unknown = undefined;
    for (;;) {
      const r = prog.next(input);
      input = undefined;
      if (r.done === true) {
        const caller = task.callers.pop();
        if (caller === undefined) {
          this.taskDone(task);
          return;
        }
        // Return to the caller with the callee's result.
        prog = task.program = caller;
        input = r.value;
        continue;
      }
      const s = r.value;
      let cycles: number;
      // Plain CPU work is the most common step: test for it first.
      if (typeof s === 'number') cycles = s;
      else if ('next' in s) {
        // A call: run the callee on this task's stack.
        task.callers.push(prog);
        prog = task.program = s;
        continue;
      } else {
        cycles = s.block(task);
        if (cycles < 0) return;
      }
      if (!this.step(task, cycles)) return;
    }
  }

  /** Queue an event at an absolute cycle (never in the past). */
  at(cycle: number, ev: SimEvent): void {
    this.heap.push(cycle < this.clock ? this.clock : cycle, ev);
  }

  /** Run `fn` at an absolute cycle. */
  call(cycle: number, fn: () => void): void {
    this.at(cycle, new Callback(fn));
  }

  /** Start a task at `cycle`: it wants a CPU from then on. */
  start(task: Task, cycle: number): void {
    this.live++;
    task.state = TaskState.SLEEPING;
    this.call(cycle, () => this.wake(task, this.clock, 0));
  }

  /** Run until no event is left. Returns false if tasks remain blocked (a deadlock). */
  run(): boolean {
    while (!this.runFor(Infinity));
    return this.live === 0;
  }

  /**
   * Fire at most `budget` events; true when the queue is empty (the run is over). Lets a caller
   * interleave the replay with I/O (streaming outputs) without changing what happens.
   */
  runFor(budget: number): boolean {
    const heap = this.heap;
    for (this.left = budget; this.left > 0; this.left--) {
      let ev = this.next;
      if (ev !== null) this.next = null;
      else {
        ev = heap.pop() ?? null;
        if (ev === null) return true;
      }
      this.clock = heap.lastTime;
      ev.fire();
    }
    return heap.size === 0 && this.next === null;
  }

  /** Events runFor may still fire in its current call, counting the one being fired. */
  private left = 0;

  /**
   * The event park() took out for runFor to fire next, when the event being fired may fire it
   * itself (takeParked) without exceeding runFor's budget; else null.
   */
  parkedNext(): SimEvent | null {
    return this.left > 1 ? this.next : null;
  }

  /**
   * The event being fired fires parkedNext() itself, as its last act: exactly what runFor
   * would do next (the clock moves to the event's cycle, the event counts against the budget),
   * without the return to runFor and its dispatch.
   */
  takeParked(): void {
    this.next = null;
    this.clock = this.heap.lastTime;
    this.left--;
  }

  /**
   * Queue `task` to continue at `cycle`, not before the earliest queued event, as the last act
   * of the event being fired: the earliest event is taken out in the same sift
   * (EventHeap.replaceTop) and fired next by runFor. Only for a task that stops right after
   * (returns to runFor, or to a caller that fires that event itself through takeParked), since
   * the heap no longer holds the next event meanwhile.
   */
  park(cycle: number, task: Task): void {
    this.next = this.heap.replaceTop(cycle, task);
  }

  /** The task gives up its CPU to sleep on `block` (already queued by the caller). */
  sleep(task: Task, block: Block): void {
    if (this.timeline !== null && block.sliced !== true) {
      this.timeline.begin(task.tid, `wait:${block.what}`, this.clock);
      this.waitSlices.add(task);
    }
    task.state = TaskState.SLEEPING;
    task.blockedOn = block;
    task.blockedSince = this.clock;
    this.releaseCpu(task);
  }

  /** The task keeps its CPU and spins on `block`. */
  spin(task: Task, block: Block): void {
    task.state = TaskState.SPINNING;
    task.blockedOn = block;
    task.blockedSince = this.clock;
  }

  /**
   * Make a sleeping or spinning task continue at `cycle` (>= now). A spinner still has its CPU
   * and resumes at once; a sleeper needs a CPU.
   */
  wake(task: Task, cycle: number, latency = this.config.wakeup): void {
    task.blockedOn = null;
    if (this.waitSlices.delete(task)) this.timeline!.end(task.tid, cycle);
    if (task.state === TaskState.SPINNING) {
      task.state = TaskState.RUNNING;
      this.at(cycle, task);
      return;
    }
    if (task.state !== TaskState.SLEEPING) throw new Error(`wake of task ${task.tid} in state ${task.state}`);
    const cpu = this.idleCpuFor(task);
    if (cpu === null) {
      task.state = TaskState.RUNNABLE;
      this.runQueue.push(task);
      return;
    }
    this.dispatch(cpu, task, cycle + latency);
  }

  private idleCpuFor(task: Task): Cpu | null {
    const last = task.lastCpu;
    if (last !== null && last.current === null) return last;
    for (const c of this.cpus) if (c.current === null) return c;
    return null;
  }

  /** Put `task` on `cpu` and continue it at `cycle` (plus a context switch if the CPU changes task). */
  private dispatch(cpu: Cpu, task: Task, cycle: number): void {
    cpu.wakeFromIdle(cycle);
    let t = cycle;
    if (cpu.lastTask !== null && cpu.lastTask !== task) {
      t += this.config.contextSwitch;
      this.contextSwitches++;
    }
    cpu.current = task;
    cpu.lastTask = task;
    cpu.tlbPid = task.pid;
    task.cpu = cpu;
    task.lastCpu = cpu;
    task.state = TaskState.RUNNING;
    this.at(t, task);
  }

  private releaseCpu(task: Task): void {
    const cpu = task.cpu;
    if (cpu === null) return;
    task.cpu = null;
    cpu.current = null;
    if (this.runQueueHead < this.runQueue.length) {
      const next = this.runQueue[this.runQueueHead++]!;
      if (this.runQueueHead > 1024 && this.runQueueHead * 2 > this.runQueue.length) {
        this.runQueue.splice(0, this.runQueueHead);
        this.runQueueHead = 0;
      }
      this.dispatch(cpu, next, this.clock);
    }
  }

  /** True when a task waits in the run queue for a CPU. */
  hasRunnable(): boolean {
    return this.runQueueHead < this.runQueue.length;
  }

  /** Called by a task whose program returned. */
  taskDone(task: Task): void {
    task.state = TaskState.DONE;
    this.releaseCpu(task);
    this.live--;
    this.onTaskDone(task);
  }

  /** Tasks still blocked after the heap ran dry, for deadlock reports. */
  blockedTasks<T extends Task>(tasks: Iterable<T>): T[] {
    const out: T[] = [];
    for (const t of tasks) if (t.state !== TaskState.DONE) out.push(t);
    return out;
  }
}
