import { describe, expect, it } from 'vitest';
import { replay } from '../../src/replay/replay.js';
import { parsePolicy } from '../../src/replay/policies/presets.js';
import type { EventRecorder } from '../../src/replay/result.js';
import { BASE, DEFAULT_MACHINE, PAGE, columns, type Row } from './harness.js';
import { resolveCostsNs, toCycles } from '../../src/replay/costs.js';
import { Kernel } from '../../src/replay/kernel.js';
import { planThreads, startThreads } from '../../src/replay/replay.js';
import { Rng } from '../../src/util/rng.js';

interface Ev { row: number; tid: number; path: string; start: number; end: number }

/** Replay `rows` under linux-6.12, returning every event recorded (events.arrow's rows). */
function events(rows: Row[], cpus = 0): Ev[] {
  const out: Ev[] = [];
  const rec: EventRecorder = {
    policy: () => undefined,
    event: (row, tid, _op, path, _outcome, start, end) => void out.push({ row, tid, path, start, end }),
    flush: async () => undefined,
  };
  replay(columns(rows), {
    machine: { ...DEFAULT_MACHINE, cpus },
    policies: [parsePolicy('linux-6.12')],
    trace: { path: 'inline', sha256: '-', rows: rows.length },
    events: rec,
  });
  return out;
}

/** Two threads of one process, each: mmap, then `n` writes cycling over 3 pages, arriving at once. */
function twoThreads(n: number): Row[] {
  const rows: Row[] = [];
  for (const tid of [1, 2]) {
    const region = BASE + tid * 1024 * PAGE;
    rows.push([0, 1, tid, 'mmap', region, 8 * PAGE]);
    for (let i = 0; i < n; i++) rows.push([0, 1, tid, 'write', region + (i % 3) * PAGE]);
  }
  return rows;
}

const HIT_CYCLES = 6; // access_hit: 2 ns at 3 GHz

describe('the row loop (hits outside the generator, parked between other threads\' events)', () => {
  it('runs every row once, in order, back to back, with faults handed to the kernel paths', () => {
    const n = 3000;
    const evs = events(twoThreads(n));
    for (const tid of [1, 2]) {
      const mine = evs.filter((e) => e.tid === tid);
      expect(mine).toHaveLength(n + 1);
      // Rows in file order, each starting when the previous one ended (all arrive at 0).
      for (let i = 1; i < mine.length; i++) {
        expect(mine[i]!.row).toBe(mine[i - 1]!.row + 1);
        expect(mine[i]!.start).toBe(mine[i - 1]!.end);
      }
      // The first write to each of the 3 pages faults; every later one is a hit of
      // access_hit cycles, longer only when the tick lands on it.
      expect(mine.slice(1, 4).map((e) => e.path)).toEqual(['anon', 'anon', 'anon']);
      const hits = mine.slice(4);
      expect(hits.every((e) => e.path === 'hit' && e.end - e.start >= HIT_CYCLES)).toBe(true);
      expect(hits.filter((e) => e.end - e.start === HIT_CYCLES).length).toBeGreaterThan(hits.length - 10);
    }
    // The two threads run at the same time on two CPUs: their hits interleave in time, so the
    // loop parked and resumed between the other thread's events.
    const t1 = evs.filter((e) => e.tid === 1 && e.path === 'hit');
    const t2 = evs.filter((e) => e.tid === 2 && e.path === 'hit');
    expect(t1[0]!.start).toBeLessThan(t2[t2.length - 1]!.start);
    expect(t2[0]!.start).toBeLessThan(t1[t1.length - 1]!.start);
    // Events come out in time order across threads (the engine's order), so many switches.
    let switches = 0;
    for (let i = 1; i < evs.length; i++) if (evs[i]!.tid !== evs[i - 1]!.tid) switches++;
    expect(switches).toBeGreaterThan(n);
  });

  it('on one CPU, the second thread runs after the first, with the same per-row results', () => {
    const n = 200;
    const two = events(twoThreads(n));
    const one = events(twoThreads(n), 1);
    // Every row is served by the same path.
    const paths = (evs: Ev[]) => evs.map((e) => `${e.row}:${e.path}`).sort();
    expect(paths(one)).toEqual(paths(two));
    // Thread 2 waits for the CPU: its first row starts only when thread 1 has finished.
    const last1 = Math.max(...one.filter((e) => e.tid === 1).map((e) => e.end));
    expect(Math.min(...one.filter((e) => e.tid === 2).map((e) => e.start))).toBeGreaterThanOrEqual(last1);
  });

  it('waits for a row\'s arrival, then continues the hit run from it', () => {
    const region = BASE;
    const rows: Row[] = [
      [0, 1, 1, 'mmap', region, PAGE],
      [0, 1, 1, 'write', region],
      [0, 1, 1, 'write', region + 8],
      [5000, 1, 1, 'read', region + 16], // arrives 5 us in: 15000 cycles
      [5000, 1, 1, 'write', region + 24],
    ];
    const evs = events(rows);
    expect(evs.map((e) => e.path)).toEqual(['mmap', 'anon', 'hit', 'hit', 'hit']);
    expect(evs[3]!.start).toBe(15000);
    expect(evs[4]!.start).toBe(evs[3]!.end);
  });

  it('gives the CPU up while waiting for a row when another task needs it, and idles on it otherwise', () => {
    const a = BASE;
    const b = BASE + 64 * PAGE;
    const rows: Row[] = [
      [0, 1, 1, 'mmap', a, PAGE],
      [0, 1, 1, 'write', a],
      [40_000, 1, 1, 'write', a + 8], // 120000 cycles
      [0, 1, 2, 'mmap', b, PAGE],
      [0, 1, 2, 'write', b],
      [20_000, 1, 2, 'write', b + 8], // 60000 cycles
    ];
    const evs = events(rows, 1);
    const byRow = (row: number) => evs.find((e) => e.row === row)!;
    // Thread 1 runs first; its wait lets thread 2 (runnable, no CPU) run long before 40 us.
    expect(byRow(3).start).toBeGreaterThanOrEqual(byRow(1).end);
    expect(byRow(4).end).toBeLessThan(60_000);
    // Thread 2 then waits on the CPU it holds (nobody else needs it) and starts on time.
    expect(byRow(5).start).toBe(60_000);
    expect(byRow(5).path).toBe('hit');
    // Thread 1 starts again after its wake-up, once thread 2 is done with the CPU.
    expect(byRow(2).start).toBeGreaterThanOrEqual(120_000);
    expect(byRow(2).path).toBe('hit');
  });

  it('hands off between parked row loops without exceeding runFor\'s budget, with the same events', () => {
    // Four threads hitting in lockstep: nearly every hit parks its loop and the next event is
    // another thread's parked loop, which RowLoop.resume continues itself (the hand-off).
    const rows: Row[] = [];
    for (const tid of [1, 2, 3, 4]) {
      const region = BASE + tid * 1024 * PAGE;
      rows.push([0, 1, tid, 'mmap', region, 8 * PAGE]);
      for (let i = 0; i < 2000; i++) rows.push([0, 1, tid, i % 3 === 0 ? 'write' : 'read', region + (i % 5) * PAGE + (i % 7) * 8]);
    }
    const cols = columns(rows);
    const plan = planThreads(cols);
    const machine = { ...DEFAULT_MACHINE, cpus: 4 };
    const costs = toCycles(resolveCostsNs({}), machine.cpuGhz, machine.hz);
    /** Run with runFor(budget) until done: the events recorded and the number of runFor calls. */
    const runWith = (budget: number) => {
      const out: string[] = [];
      const k = new Kernel({ machine, costs, policy: parsePolicy('linux-6.12'), rng: new Rng(machine.seed), timeline: null });
      k.events = {
        policy: () => undefined,
        event: (row, tid, op, path, outcome, start, end, retries) => void out.push(`${row} ${tid} ${op} ${path} ${outcome} ${start} ${end} ${retries}`),
        flush: async () => undefined,
      };
      startThreads(k, cols, plan);
      let calls = 0;
      for (;;) {
        calls++;
        if (k.engine.runFor(budget)) break;
      }
      expect(k.engine.live).toBe(0);
      return { out, calls };
    };
    const all = runWith(Infinity);
    expect(all.out).toHaveLength(rows.length);
    // runFor(1) fires exactly one event per call (no hand-off fits in its budget): the number of
    // calls, less the last (which finds the queue empty), counts the events the replay fires.
    const one = runWith(1);
    expect(one.out).toEqual(all.out);
    const fired = one.calls - 1;
    expect(fired).toBeGreaterThan(4000);
    for (const budget of [2, 3, 7, 1000]) {
      const r = runWith(budget);
      expect(r.out).toEqual(all.out);
      // Never more than `budget` events per call: at least fired / budget calls.
      expect(r.calls).toBeGreaterThanOrEqual(Math.ceil(fired / budget));
    }
  });
});
