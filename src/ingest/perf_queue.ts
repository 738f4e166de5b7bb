/**
 * The reorder buffer of the tracepoint readers: rows in file order, held back while something
 * about them is not known yet, with holes (slots) for rows whose content comes later.
 *
 * - a row whose thread's process is not decided yet (pid -1) waits until it is;
 * - an mmap slot is reserved at `sys_enter_mmap` and filled at `sys_exit_mmap` with the address
 *   (so the `mmap` row keeps the entry's time and place) or dropped when the syscall failed;
 * - a birth slot is reserved before the first row of a thread that appears while some thread is
 *   inside clone(): if that clone turns out to be a fork creating it, the parent's `fork` row is
 *   written there, before the child's rows, as the event table requires.
 *
 * Entries leave from the head only, so output order is file order. Memory is bounded by the
 * caller: when more than `cap` entries wait, the head is forced (see TraceState).
 * Sequence numbers are absolute (they survive compaction), so slots can be found again.
 */

/** Entry states in the `op` column besides real op codes (>= 0). */
export const PENDING_MMAP = -1;
export const PENDING_BIRTH = -2;
export const DROPPED = -3;

/** Columns grow by doubling from this many entries. */
const INITIAL = 1024;

export class ReorderQueue {
  ts = new Float64Array(INITIAL);
  pid = new Int32Array(INITIAL);
  tid = new Int32Array(INITIAL);
  op = new Int16Array(INITIAL);
  addr = new Float64Array(INITIAL);
  len = new Float64Array(INITIAL);
  arg = new Float64Array(INITIAL);
  line = new Float64Array(INITIAL);
  /** Array index of the head entry and one past the last entry. */
  private head = 0;
  private tail = 0;
  /** Absolute sequence number of array index 0. */
  private base = 0;

  get length(): number {
    return this.tail - this.head;
  }

  /** Sequence number of the head entry. */
  get headSeq(): number {
    return this.base + this.head;
  }

  /** Array index of a live sequence number, or -1 when it already left the queue. */
  indexOf(seq: number): number {
    const i = seq - this.base;
    return i >= this.head && i < this.tail ? i : -1;
  }

  /** Append an entry; returns its sequence number. */
  push(ts: number, pid: number, tid: number, op: number, addr: number, len: number, arg: number, line: number): number {
    if (this.tail === this.ts.length) this.makeRoom();
    const i = this.tail++;
    this.ts[i] = ts;
    this.pid[i] = pid;
    this.tid[i] = tid;
    this.op[i] = op;
    this.addr[i] = addr;
    this.len[i] = len;
    this.arg[i] = arg;
    this.line[i] = line;
    return this.base + i;
  }

  /** Remove the head entry. */
  shift(): void {
    this.head++;
    if (this.head === this.tail) {
      this.base += this.head;
      this.head = this.tail = 0;
    }
  }

  /** Array index of the head entry (valid while length > 0). */
  get headIndex(): number {
    return this.head;
  }

  /** Compact when at least half the arrays is consumed head; otherwise double them. */
  private makeRoom(): void {
    const n = this.tail - this.head;
    if (this.head >= this.ts.length >> 1) {
      for (const a of this.columns()) a.copyWithin(0, this.head, this.tail);
      this.base += this.head;
      this.head = 0;
      this.tail = n;
      return;
    }
    const size = this.ts.length * 2;
    this.ts = grow(this.ts, new Float64Array(size));
    this.pid = grow(this.pid, new Int32Array(size));
    this.tid = grow(this.tid, new Int32Array(size));
    this.op = grow(this.op, new Int16Array(size));
    this.addr = grow(this.addr, new Float64Array(size));
    this.len = grow(this.len, new Float64Array(size));
    this.arg = grow(this.arg, new Float64Array(size));
    this.line = grow(this.line, new Float64Array(size));
  }

  private columns(): (Float64Array | Int32Array | Int16Array)[] {
    return [this.ts, this.pid, this.tid, this.op, this.addr, this.len, this.arg, this.line];
  }
}

function grow<T extends Float64Array | Int32Array | Int16Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
