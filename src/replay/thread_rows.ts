/**
 * Each traced thread's rows in file order, without an index over all events: the replay keeps
 * per-event state only for the block of rows a thread is in, so its memory grows with the
 * threads and pages of a trace, not with its length (issue #3: "peak RSS growing with pages
 * touched, not with events").
 *
 * The table is cut into blocks of BLOCK_ROWS rows. planThreads() notes, per thread, the blocks
 * that hold its rows, and per block how many threads it holds (a few integers per thread per
 * block). In a block of few threads each thread scans the tid column for its rows. A block of
 * many threads is grouped by thread (a counting sort) when the first thread enters it, shared
 * by every thread inside it, and dropped when the last one leaves: threads of a time-ordered
 * trace move through the blocks together, so each block is grouped once, and at most one
 * grouped block per thread is alive.
 */
import { Op } from '../ingest/schema.js';
import type { EventColumnArrays } from '../ingest/batch.js';

/** Rows per block: 16Ki rows, 64 KiB of row numbers while a grouped block is alive. */
export const BLOCK_ROWS = 1 << 14;

/**
 * Blocks with at most this many threads are read by each thread scanning the block's tid
 * column for its own rows (a compare per row per thread, no per-block work); blocks with more
 * are grouped by thread once and shared, so a 128-thread trace does not cost 128 compares per
 * row.
 */
export const SCAN_MAX_THREADS = 8;

/** One traced thread: its tid, pid, dense slot number, and the blocks that hold its rows. */
export interface ThreadPlan {
  tid: number;
  pid: number;
  slot: number;
  /** Block numbers, ascending, of the blocks with at least one row of this thread. */
  blocks: Int32Array;
  /** Rows of this thread in the table. */
  rowCount: number;
}

/** Threads of a table in order of first appearance, and the pids created by fork rows. */
export interface TracePlan {
  threads: ThreadPlan[];
  forkedPids: Set<number>;
  slotOfTid: Map<number, number>;
  /** Threads with rows in each block. */
  blockThreads: Int32Array;
}

/**
 * One pass over the table: threads in order of first appearance, the blocks each appears in
 * and how many threads each block holds, and the pids fork rows create. Works on runs of one
 * tid, so a row costs a compare or two.
 */
export function planThreads(cols: EventColumnArrays): TracePlan {
  const n = cols.ts.length;
  const { tid, op } = cols;
  const slotOfTid = new Map<number, number>();
  const threads: { tid: number; pid: number; blocks: number[]; rowCount: number }[] = [];
  const blockThreads = new Int32Array(Math.ceil(n / BLOCK_ROWS));
  const forkedPids = new Set<number>();
  for (let r = nextFork(op, 0); r < n; r = nextFork(op, r + 1)) forkedPids.add(cols.arg[r]!);
  for (let b = 0; b < blockThreads.length; b++) {
    const end = Math.min(n, (b + 1) * BLOCK_ROWS);
    for (let r = b * BLOCK_ROWS; r < end; ) {
      const t = tid[r]!;
      const runStart = r;
      r = runEnd(tid, r, end);
      let s = slotOfTid.get(t);
      if (s === undefined) {
        s = threads.length;
        slotOfTid.set(t, s);
        threads.push({ tid: t, pid: cols.pid[runStart]!, blocks: [], rowCount: 0 });
      }
      const th = threads[s]!;
      th.rowCount += r - runStart;
      if (th.blocks.length === 0 || th.blocks[th.blocks.length - 1] !== b) {
        th.blocks.push(b);
        blockThreads[b]!++;
      }
    }
  }
  return {
    threads: threads.map((t, slot) => ({ ...t, slot, blocks: Int32Array.from(t.blocks) })),
    forkedPids,
    slotOfTid,
    blockThreads,
  };
}

// planThreads() runs once per replay, before its code is warm, and its row loops are the two
// small functions below: V8 optimizes a long loop while it runs (on-stack replacement), and a
// loop in a function of its own is compiled at once and not thrown out again when the rest of
// the function first runs (measured: 10M rows, about 85 ms inline against about 25 ms so).

/** The first fork row at or after `r`, or the row count. */
function nextFork(op: Int8Array, r: number): number {
  const fork = Op.fork;
  const n = op.length;
  while (r < n && op[r] !== fork) r++;
  return r;
}

/** The end of the run of rows of one tid that starts at row `r`, at most `end`. */
function runEnd(tid: Int32Array, r: number, end: number): number {
  const t = tid[r]!;
  for (r++; r < end && tid[r] === t; r++);
  return r;
}

/** A block's rows grouped by thread: slot s has `rows[start[s] .. start[s + 1])`. */
interface Block {
  rows: Int32Array;
  start: Int32Array;
  /** Threads currently reading this block. */
  readers: number;
}

/** The blocks alive during one replay, shared by its threads' cursors. */
export class RowBlocks {
  private readonly alive = new Map<number, Block>();
  /** Blocks grouped by thread so far (a test sees each block grouped once when threads move together). */
  sorted = 0;

  constructor(readonly cols: EventColumnArrays, readonly plan: TracePlan) {}

  /** The cursor over one thread's rows. */
  cursor(t: ThreadPlan): ThreadRows {
    return new ThreadRows(this, t);
  }

  /** Enter block `b`: group it by thread if no thread is in it. */
  enter(b: number): Block {
    let blk = this.alive.get(b);
    if (blk === undefined) {
      blk = this.sort(b);
      this.alive.set(b, blk);
    }
    blk.readers++;
    return blk;
  }

  /** Leave block `b`: drop it when no thread is in it any more. */
  leave(b: number): void {
    const blk = this.alive.get(b)!;
    if (--blk.readers === 0) this.alive.delete(b);
  }

  /** Grouped blocks alive now. */
  get aliveCount(): number {
    return this.alive.size;
  }

  /** Group block `b`'s rows by thread slot, keeping file order within each thread. */
  private sort(b: number): Block {
    this.sorted++;
    const { tid } = this.cols;
    const first = b * BLOCK_ROWS;
    const end = Math.min(tid.length, first + BLOCK_ROWS);
    const slots = this.plan.threads.length;
    const start = new Int32Array(slots + 1);
    const slotOf = this.plan.slotOfTid;
    // Two passes: count rows per slot, then place them; the slot of a run of one tid is looked
    // up once.
    const slotAt = new Int32Array(end - first);
    let lastTid = NaN;
    let s = 0;
    for (let r = first; r < end; r++) {
      const t = tid[r]!;
      if (t !== lastTid) {
        s = slotOf.get(t)!;
        lastTid = t;
      }
      slotAt[r - first] = s;
      start[s + 1]!++;
    }
    for (let i = 0; i < slots; i++) start[i + 1]! += start[i]!;
    const fill = start.slice(0, slots);
    const rows = new Int32Array(end - first);
    for (let r = first; r < end; r++) rows[fill[slotAt[r - first]!]!++] = r;
    return { rows, start, readers: 0 };
  }
}

/** One thread's rows in file order: `next()` returns the next row number, or -1 at the end. */
export class ThreadRows {
  /** In a scanned block: the next row to look at and the block's end. */
  private scan = 0;
  private scanEnd = 0;
  /** In a grouped block: its rows, the next position and the end of this thread's rows. */
  private rows: Int32Array = new Int32Array(0);
  private pos = 0;
  private end = 0;
  /** Index into the thread's block list of the block being read (-1 before the first). */
  private at = -1;
  /** The block being read is grouped (entered in RowBlocks). */
  private grouped = false;
  private readonly tidCol: Int32Array;
  private readonly tid: number;

  constructor(private readonly blocks: RowBlocks, private readonly t: ThreadPlan) {
    this.tidCol = blocks.cols.tid;
    this.tid = t.tid;
  }

  next(): number {
    if (this.pos < this.end) return this.rows[this.pos++]!;
    const tidCol = this.tidCol;
    for (let r = this.scan; r < this.scanEnd; r++) {
      if (tidCol[r] === this.tid) {
        this.scan = r + 1;
        return r;
      }
    }
    this.scan = this.scanEnd;
    return this.advance();
  }

  /** Move to the thread's next block, leaving the current one. */
  private advance(): number {
    const list = this.t.blocks;
    if (this.at >= list.length) return -1;
    if (this.grouped) this.blocks.leave(list[this.at]!);
    if (++this.at >= list.length) return -1;
    const b = list[this.at]!;
    this.grouped = this.blocks.plan.blockThreads[b]! > SCAN_MAX_THREADS;
    if (this.grouped) {
      const blk = this.blocks.enter(b);
      this.rows = blk.rows;
      this.pos = blk.start[this.t.slot]!;
      this.end = blk.start[this.t.slot + 1]!;
    } else {
      this.scan = b * BLOCK_ROWS;
      this.scanEnd = Math.min(this.tidCol.length, this.scan + BLOCK_ROWS);
    }
    return this.next();
  }
}
