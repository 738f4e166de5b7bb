/**
 * A small EventSink for driving text readers directly in tests: it records every row (op by
 * name), interns objects, and checks what the event table promises so a reader bug fails loudly:
 * per-thread `ts` never going backwards, a tid never changing pid, fork children not in use.
 */
import type { EventSink, ReaderContext, ReaderOptions, TraceReader } from '../../src/ingest/reader.js';
import { IssueList } from '../../src/ingest/reader.js';
import { OPS } from '../../src/ingest/schema.js';
import { Counters } from '../../src/util/diagnostics.js';

/** One recorded row, op by name, with the input line it came from. */
export interface SinkRow {
  ts: number;
  pid: number;
  tid: number;
  op: string;
  addr: number;
  len: number;
  arg: number;
  line: number;
}

/** Records rows; `violations` lists every broken table promise (expected empty). */
export class TestSink implements EventSink {
  readonly rows: SinkRow[] = [];
  readonly objects: string[] = [];
  readonly violations: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly threads = new Map<number, { pid: number; ts: number }>();
  private readonly pids = new Set<number>();

  push(ts: number, pid: number, tid: number, op: number, addr: number, len: number, arg: number, line: number): void {
    const name = OPS[op] ?? `bad-op-${op}`;
    const t = this.threads.get(tid);
    if (t === undefined) this.threads.set(tid, { pid, ts });
    else {
      if (t.pid !== pid) this.violations.push(`line ${line}: tid ${tid} moved from pid ${t.pid} to ${pid}`);
      if (ts < t.ts) this.violations.push(`line ${line}: tid ${tid} ts ${ts} before ${t.ts}`);
      t.ts = ts;
    }
    if (!Number.isInteger(ts) || ts < 0) this.violations.push(`line ${line}: bad ts ${ts}`);
    if (op === OPS.indexOf('fork')) {
      if (this.pids.has(arg)) this.violations.push(`line ${line}: fork child ${arg} already in use`);
      this.pids.add(arg);
    }
    this.pids.add(pid);
    this.rows.push({ ts, pid, tid, op: name, addr, len, arg, line });
  }

  internObject(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.objects.length;
      this.objects.push(text);
      this.ids.set(text, id);
    }
    return id;
  }

  /** Rows of the given op names (all rows when none given). */
  ops(...names: string[]): SinkRow[] {
    return names.length === 0 ? this.rows : this.rows.filter((r) => names.includes(r.op));
  }
}

/** A reader context over a fresh TestSink. */
export function testContext(options: ReaderOptions = {}, file = 'test.txt'): ReaderContext & { events: TestSink } {
  return { file, events: new TestSink(), counters: new Counters(), issues: new IssueList(), options };
}

/**
 * Feed `text` to the reader made by `make` in chunks of `chunk` characters (default: whole),
 * end it, and return the context with everything the reader produced.
 */
export function readText(
  make: (ctx: ReaderContext) => TraceReader,
  text: string,
  options: ReaderOptions = {},
  chunk = Infinity,
): ReaderContext & { events: TestSink } {
  const ctx = testContext(options);
  const reader = make(ctx);
  const step = Math.min(chunk, Math.max(1, text.length));
  for (let i = 0; i < text.length; i += step) reader.push(text.slice(i, i + step));
  reader.end();
  return ctx;
}
