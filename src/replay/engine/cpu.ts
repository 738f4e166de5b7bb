/**
 * An emulated CPU on a NUMA node. It runs one task at a time, takes the timer tick every 1/HZ and
 * device-completion and IPI interrupts. Interrupts land between steps of whatever kernel or
 * user work the CPU runs, unless the task runs with interrupts off (spin_lock_irq sections),
 * in which case they are taken when interrupts come back on. This is what widens real race
 * windows: a tick between two stores of vma_adjust delays the second store by the handler time.
 *
 * Ticks are computed lazily from the clock instead of being queued as events: a tick only
 * delays the task running on its CPU, so charging it when that task's step crosses the tick
 * boundary is exact, and an idle CPU costs nothing.
 */
import type { Rng } from '../../util/rng.js';

export class Cpu {
  /** The task running here (engine.ts keeps it; typed by identity only, so cpu.ts imports no task). */
  current: object | null = null;
  /** Task that ran here last (a switch to another task costs a context switch). */
  lastTask: object | null = null;
  /** mm (pid) whose translations this CPU may cache (lazy TLB: kept until another mm runs). */
  tlbPid = -1;
  /** Cycle of the next timer tick. */
  nextTick: number;
  /** Interrupt work waiting for the running task's next step boundary (or irqs back on). */
  pendingIrq = 0;
  ticks = 0;
  irqs = 0;

  constructor(
    readonly id: number,
    readonly node: number,
    private readonly tickPeriod: number,
    private readonly tickPhase: number,
    private readonly tickCost: number,
    private readonly rng: Rng,
  ) {
    this.nextTick = tickPhase;
  }

  /** Re-align the tick after the CPU was idle: ticks while idle cost the (absent) task nothing. */
  wakeFromIdle(now: number): void {
    if (this.nextTick > now) return;
    const k = Math.floor((now - this.tickPhase) / this.tickPeriod) + 1;
    this.nextTick = this.tickPhase + k * this.tickPeriod;
  }

  /**
   * The cycle at which the running task's next step may start after work ending at `end`:
   * ticks crossed and pending interrupts are charged here unless interrupts are off (`irqOff`,
   * the task's nesting depth of spin_lock_irq sections).
   */
  afterWork(irqOff: number, end: number): number {
    if (irqOff > 0) return end;
    let t = end;
    while (t >= this.nextTick) {
      // Tick handler time varies (timers, RCU callbacks): a lognormal around the median.
      t += Math.round(this.tickCost * this.rng.lognormal(0, 0.5));
      this.nextTick += this.tickPeriod;
      this.ticks++;
    }
    if (this.pendingIrq > 0) {
      t += this.pendingIrq;
      this.pendingIrq = 0;
    }
    return t;
  }

  /**
   * The first tick of this CPU after cycle `t`: when a timer armed here for the next jiffy
   * fires (the timer wheel runs from the tick), anywhere in (0, 1] jiffy after `t`.
   */
  tickAfter(t: number): number {
    return this.tickPhase + (Math.floor((t - this.tickPhase) / this.tickPeriod) + 1) * this.tickPeriod;
  }

  /** An interrupt of `cycles` for this CPU (IPI, device completion). */
  interrupt(cycles: number): void {
    this.pendingIrq += cycles;
    this.irqs++;
  }
}
