import { describe, expect, it } from 'vitest';
import { Op, type EventRow } from '../../../src/ingest/schema.js';
import { END, Timeline, exitPhase, once, repeat, until, waitFor } from '../../../src/ingest/synthetic/timeline.js';
import { enumParam, intParam, resolveParams } from '../../../src/ingest/synthetic/params.js';
import { InputError } from '../../../src/util/errors.js';
import { structuralProblems } from './trace_check.js';

function collect(): { rows: EventRow[]; out: { push: (...a: number[]) => void } } {
  const rows: EventRow[] = [];
  return {
    rows,
    out: {
      push: (ts, pid, tid, op, addr, len, arg) => {
        rows.push({ ts: ts!, pid: pid!, tid: tid!, op: op!, addr: addr!, len: len!, arg: arg! });
      },
    },
  };
}

describe('Timeline', () => {
  it('interleaves threads in global ts order with ties broken by spawn order', () => {
    const { rows, out } = collect();
    const tl = new Timeline(out, 1);
    tl.process(0, () => [repeat(3, (t) => { t.emit(Op.read, 0, 1, 0); return 10; })]);
    tl.process(5, () => [repeat(3, (t) => { t.emit(Op.write, 0, 1, 0); return 5; })]);
    tl.advance();
    expect(rows.map((r) => [r.ts, r.pid])).toEqual([[0, 1000], [5, 1001], [10, 1000], [10, 1001], [15, 1001], [20, 1000]]);
  });

  it('lets a later step see state written by an earlier one (time-ordered coordination)', () => {
    const { rows, out } = collect();
    const tl = new Timeline(out, 1);
    const stop = { ts: Infinity };
    tl.process(0, () => [
      until((t) => (t.ts >= stop.ts ? END : (t.emit(Op.read, 0, 1, 0), 3))),
      exitPhase(),
    ]);
    tl.process(0, () => [once(() => 10), once((t) => { stop.ts = t.ts; return END; })]);
    tl.advance();
    const reads = rows.filter((r) => r.op === Op.read).map((r) => r.ts);
    expect(reads).toEqual([0, 3, 6, 9]);
    expect(rows.at(-1)).toMatchObject({ op: Op.exit, ts: 12 });
  });

  it('starts a forked child after the fork row, with tid = child pid', () => {
    const { rows, out } = collect();
    const tl = new Timeline(out, 1);
    tl.process(0, () => [
      once((t) => { t.fork(0, () => [once((c) => { c.emit(Op.read, 0, 1, 0); return 0; })]); return 100; }),
      waitFor(() => true, 1),
    ]);
    tl.advance();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ op: Op.fork, pid: 1000, arg: 1001, ts: 0 });
    expect(rows[1]).toMatchObject({ op: Op.read, pid: 1001, tid: 1001, ts: 1 });
  });

  it('advance(n) stops after about n rows and resumes where it left off', () => {
    const { rows, out } = collect();
    const tl = new Timeline(out, 1);
    tl.process(0, () => [repeat(10, (t) => { t.emit(Op.read, 0, 1, 0); return 1; })]);
    expect(tl.advance(4)).toBe(true);
    expect(rows).toHaveLength(4);
    expect(tl.advance()).toBe(false);
    expect(rows).toHaveLength(10);
    expect(tl.summary()).toMatchObject({ rows: 10, processes: 1, threads: 1, lastTs: 9 });
  });

  it('rejects a step that moves its clock backwards between emits (a scenario bug)', () => {
    const { out } = collect();
    const tl = new Timeline(out, 1);
    tl.process(10, () => [once((t) => { t.emit(Op.read, 0, 1, 0); t.ts -= 5; t.emit(Op.read, 0, 1, 0); return 1; })]);
    expect(() => tl.advance()).toThrow(/emitted ts 5 after 10/);
  });

  it('gives each thread its own random stream, independent of the others', () => {
    const draws = (extraThread: boolean): number[] => {
      const got: number[] = [];
      const tl = new Timeline(collect().out, 7);
      tl.process(0, () => [repeat(5, (t) => { got.push(t.rng.next()); return 1; })]);
      if (extraThread) tl.process(0, () => [repeat(5, (t) => { t.rng.next(); return 1; })]);
      tl.advance();
      return got;
    };
    expect(draws(true)).toEqual(draws(false));
  });
});

describe('scenario parameters', () => {
  const specs = {
    mode: enumParam(['a', 'b'], 'a', 'mode'),
    n: intParam(3, 'count', { min: 1, max: 10 }),
  };

  it('applies defaults, --set values and --threads', () => {
    expect(resolveParams('demo', specs, [])).toEqual({ mode: 'a', n: 3 });
    expect(resolveParams('demo', specs, ['mode=b', 'n=10'])).toEqual({ mode: 'b', n: 10 });
    expect(resolveParams('demo', specs, [], { key: 'n', text: '7' })).toEqual({ mode: 'a', n: 7 });
  });

  it.each([
    ['x=1', /unknown parameter "x"/],
    ['mode=c', /bad value for mode: expected one of a, b/],
    ['n=0', /bad value for n: expected an integer in 1\.\.10/],
    ['n=11', /1\.\.10/],
    ['n=1.5', /non-negative integer/],
    ['n=-1', /non-negative integer/],
    ['n=', /non-negative integer/],
    ['n', /--set takes key=value/],
  ])('rejects --set %s and names the valid keys', (set, why) => {
    let err: unknown;
    try {
      resolveParams('demo', specs, [set]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).toContain('valid keys of demo: mode, n');
  });

  it('rejects a key given twice, and --threads without a thread parameter', () => {
    expect(() => resolveParams('demo', specs, ['n=2', 'n=3'])).toThrow(/n is already set by --set "n=2"/);
    expect(() => resolveParams('demo', specs, ['n=2'], { key: 'n', text: '4' })).toThrow(/already set/);
    expect(() => resolveParams('demo', specs, [], { key: undefined, text: '4' })).toThrow(/no thread-count parameter/);
  });
});

describe('structural checker (the checks the scenario tests rely on can fail)', () => {
  const row = (ts: number, pid: number, tid: number, op: number, addr = 0, len = 0, arg = 0): EventRow => ({ ts, pid, tid, op, addr, len, arg });
  const A = 0x10000;

  it('accepts a well-formed trace', () => {
    expect(structuralProblems([
      row(0, 1, 1, Op.mmap, A, 8192, 0), row(1, 1, 1, Op.write, A, 8), row(2, 1, 1, Op.fork, 0, 0, 2),
      row(3, 2, 2, Op.read, A + 4096, 8), row(4, 2, 2, Op.exit),
    ])).toEqual([]);
  });

  it.each([
    ['an access outside any mapping', [row(0, 1, 1, Op.read, A, 8)], /not mapped/],
    ['a write to a read-only page', [row(0, 1, 1, Op.mmap, A, 4096, 0), row(1, 1, 1, Op.mprotect, A, 4096, 1), row(2, 1, 1, Op.write, A, 8)], /needs 3/],
    ['an access after munmap', [row(0, 1, 1, Op.mmap, A, 4096, 0), row(1, 1, 1, Op.munmap, A, 4096), row(2, 1, 1, Op.read, A, 8)], /not mapped/],
    ['a child row at the fork ts', [row(0, 1, 1, Op.fork, 0, 0, 2), row(0, 2, 2, Op.exit)], /not after its fork/],
    ['a child whose first tid is not its pid', [row(0, 1, 1, Op.fork, 0, 0, 2), row(1, 2, 3, Op.exit)], /tid = pid/],
    ['ts going backwards', [row(5, 1, 1, Op.compute), row(4, 1, 1, Op.compute)], /backwards/],
    ['a tid moving process', [row(0, 1, 1, Op.compute), row(1, 2, 1, Op.compute)], /tid moved/],
    ['a row after exit', [row(0, 1, 1, Op.exit), row(1, 1, 1, Op.compute)], /after the thread's exit/],
    ['a reused fork child pid', [row(0, 1, 1, Op.compute), row(1, 1, 1, Op.fork, 0, 0, 1)], /already in use/],
  ])('reports %s', (_what, rows, why) => {
    const problems = structuralProblems(rows);
    expect(problems.join('\n')).toMatch(why);
  });
});
