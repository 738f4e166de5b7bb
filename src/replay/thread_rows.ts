/**
 * Each traced thread's rows in file order, without an index over all events: the replay keeps
 * per-event state only for the block of rows a thread is in, so its memory grows with the
 * threads and pages of a trace, not with its length (issue #3: "peak RSS growing with pages
 * touched, not with events").
 *
 * The table is cut into blocks of BLOCK_ROWS rows. planThreads() notes, per thread, the blocks
 * that hold its rows (a few integers per thread per block). A block's rows are grouped by thread
 * (a counting sort) when the first thread enters it, shared by every thread inside it, and
 * dropped when the last one leaves. Threads of a time-ordered trace move through the blocks
 * together, so each block is sorted once; a trace written thread by thread has each thread in
 * a block of its own. At most one block per thread is alive.
 */
import { Op } from '../ingest/schema.js';
import type { EventColumnArrays } from '../ingest/batch.js';

const BLOCK_SHIFT = 14;
/** Rows per block: 16Ki rows, 64 KiB of row numbers while a block is alive. */
export const BLOCK_ROWS = 1 << BLOCK_SHIFT;

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
}

/**
 * One pass over the table: threads in order of first appearance, the blocks each appears in,
 * and the pids fork rows create.
 */
export function planThreads(cols: EventColumnArrays): TracePlan {
  const n = cols.ts.length;
  const slotOfTid = new Map<number, number>();
  const threads: { tid: number; pid: number; blocks: number[]; rowCount: number }[] = [];
  const forkedPids = new Set<number>();
  let lastTid = NaN;
  let cur = threads[0]!;
  for (let r = 0; r < n; r++) {
    const tid = cols.tid[r]!;
    if (tid !== lastTid) {
      let s = slotOfTid.get(tid);
      if (s === undefined) {
        s = threads.length;
        slotOfTid.set(tid, s);
        threads.push({ tid, pid: cols.pid[r]!, blocks: [], rowCount: 0 });
      }
      cur = threads[s]!;
      lastTid = tid;
    }
    const b = r >>> BLOCK_SHIFT;
    if (cur.blocks.length === 0 || cur.blocks[cur.blocks.length - 1] !== b) cur.blocks.push(b);
    cur.rowCount++;
    if (cols.op[r] === Op.fork) forkedPids.add(cols.arg[r]!);
  }
  return {
    threads: threads.map((t, slot) => ({ ...t, slot, blocks: Int32Array.from(t.blocks) })),
    forkedPids,
    slotOfTid,
  };
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
  /** Blocks sorted so far (a test sees each block sorted once when threads move together). */
  sorted = 0;

  constructor(private readonly cols: EventColumnArrays, private readonly plan: TracePlan) {}

  /** The cursor over one thread's rows. */
  cursor(t: ThreadPlan): ThreadRows {
    return new ThreadRows(this, t);
  }

  /** Enter block `b`: sort it if no thread is in it. */
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

  /** Blocks alive now. */
  get aliveCount(): number {
    return this.alive.size;
  }

  /** Group block `b`'s rows by thread slot, keeping file order within each thread. */
  private sort(b: number): Block {
    this.sorted++;
    const { tid } = this.cols;
    const first = b << BLOCK_SHIFT;
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
  private rows: Int32Array = new Int32Array(0);
  private pos = 0;
  private end = 0;
  /** Index into the thread's block list of the block being read (-1 before the first). */
  private at = -1;

  constructor(private readonly blocks: RowBlocks, private readonly t: ThreadPlan) {}

  next(): number {
    if (this.pos < this.end) return this.rows[this.pos++]!;
    return this.advance();
  }

  /** Move to the thread's next block, leaving the current one. */
  private advance(): number {
    const list = this.t.blocks;
    if (this.at >= list.length) return -1;
    if (this.at >= 0) this.blocks.leave(list[this.at]!);
    if (++this.at >= list.length) return -1;
    const blk = this.blocks.enter(list[this.at]!);
    this.rows = blk.rows;
    this.pos = blk.start[this.t.slot]!;
    this.end = blk.start[this.t.slot + 1]!;
    return this.rows[this.pos++]!;
  }
}
