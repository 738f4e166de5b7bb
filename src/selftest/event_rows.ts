/**
 * The tiny event tables selftest cases are written as: rows as arrays (the same shape the replay
 * scenario tests use), turned into the replay's columns; and a growable column sink for rows a
 * synthetic scenario generates (its `EventOut`). Pure data, no I/O.
 */
import { Op, PAGE_SIZE, type OpName } from '../ingest/schema.js';
import type { EventOut } from '../ingest/synthetic/index.js';
import type { EventColumns } from '../replay/row_loop.js';

/** One row: [ts_ns, pid, tid, op, addr, len?, arg?]; `len` defaults to 1 for accesses, a page for range ops. */
export type EventRow = [number, number, number, OpName, number, number?, number?];

/** The replay's columns of `rows`, in order. */
export function eventColumns(rows: readonly EventRow[]): EventColumns {
  const n = rows.length;
  const c: EventColumns = {
    ts: new Float64Array(n), pid: new Int32Array(n), tid: new Int32Array(n), op: new Int8Array(n),
    addr: new Float64Array(n), len: new Float64Array(n), arg: new Float64Array(n),
  };
  rows.forEach(([ts, pid, tid, op, addr, len, arg], i) => {
    c.ts[i] = ts; c.pid[i] = pid; c.tid[i] = tid; c.op[i] = Op[op];
    c.addr[i] = addr; c.len[i] = len ?? (Op[op] <= Op.fetch ? 1 : PAGE_SIZE); c.arg[i] = arg ?? 0;
  });
  return c;
}

/** Collects generated rows into growable typed arrays (a synthetic scenario's `EventOut`). */
export class ColumnSink implements EventOut {
  private n = 0;
  private c: EventColumns = allocColumns(1024);

  push(ts: number, pid: number, tid: number, op: number, addr: number, len: number, arg: number): void {
    if (this.n === this.c.ts.length) this.grow();
    const c = this.c;
    const i = this.n++;
    c.ts[i] = ts; c.pid[i] = pid; c.tid[i] = tid; c.op[i] = op; c.addr[i] = addr; c.len[i] = len; c.arg[i] = arg;
  }

  /** Rows so far. */
  get rows(): number {
    return this.n;
  }

  /** The collected columns, trimmed to the rows pushed. */
  columns(): EventColumns {
    const c = this.c;
    const n = this.n;
    return {
      ts: c.ts.slice(0, n), pid: c.pid.slice(0, n), tid: c.tid.slice(0, n), op: c.op.slice(0, n),
      addr: c.addr.slice(0, n), len: c.len.slice(0, n), arg: c.arg.slice(0, n),
    };
  }

  private grow(): void {
    const old = this.c;
    const next = allocColumns(old.ts.length * 2);
    next.ts.set(old.ts); next.pid.set(old.pid); next.tid.set(old.tid); next.op.set(old.op);
    next.addr.set(old.addr); next.len.set(old.len); next.arg.set(old.arg);
    this.c = next;
  }
}

function allocColumns(n: number): EventColumns {
  return {
    ts: new Float64Array(n), pid: new Int32Array(n), tid: new Int32Array(n), op: new Int8Array(n),
    addr: new Float64Array(n), len: new Float64Array(n), arg: new Float64Array(n),
  };
}
