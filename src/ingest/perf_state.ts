/**
 * Reader state shared by the perf script and ftrace/trace-cmd readers: the time base, the
 * thread table with its process grouping, the reorder buffer, and the calls tracepoint handlers
 * make (`row`, `mmapEnter`/`mmapExit`, `childCreated`, `mmSeen`). Readers parse line headers
 * and event names; handlers in tracepoints.ts parse bodies; this class decides what reaches
 * the EventSink and when.
 *
 * Bounded memory: rows wait in the reorder buffer only while their thread's process is
 * undecided, an mmap entry waits for its exit, or a child may still get its fork row. When more
 * than `cap` entries wait (default 2^18 entries of 50 bytes; the typed arrays holding them grow
 * by doubling, so at most 2^19 entries, 26 MiB), the head is forced:
 * an unpaired mmap entry is dropped, a birth slot is closed, an undecided thread's process is
 * assumed (`--pid`, else pid = tid) with a warning. The end of the trace forces the rest.
 */
import type { ReaderContext } from './reader.js';
import { Op } from './schema.js';
import { TaskTable, newTask, type Task } from './perf_tasks.js';
import { DROPPED, PENDING_BIRTH, PENDING_MMAP, ReorderQueue } from './perf_queue.js';
import { TimeBase, type LineHeader } from './perf_header.js';

/** What handles one event of a trace (tracepoints.ts supplies one per tracepoint). */
export type EventHandler = (st: TraceState, r: EventRec) => void;

/** Entries the reorder buffer holds before forcing its head. */
export const DEFAULT_REORDER_CAP = 1 << 18;

/** The event being handled; one object reused for every line. */
export interface EventRec {
  /** The decoded chunk holding the line, which is `text[start, end)`. */
  text: string;
  start: number;
  end: number;
  /** Index of the event body in `text`. */
  body: number;
  ts: number;
  task: Task;
  /** Printed pid, or -1 when the line shows only the tid. */
  pid: number;
  lineNo: number;
}

/** Threads whose clone was still open when a new thread appeared, with their clone counts. */
interface BirthWait {
  child: Task;
  parents: Task[];
  opened: number[];
}

/** What the perf and ftrace readers share per input: time base, threads, reorder buffer. */
export class TraceState {
  readonly tasks = new TaskTable();
  private readonly queue = new ReorderQueue();
  private readonly time = new TimeBase();
  private readonly births = new Map<number, BirthWait>();
  private readonly unknownKeys = new Map<string, string>();
  private readonly warned = new Set<string>();
  readonly rec: EventRec;

  constructor(
    readonly ctx: ReaderContext,
    private readonly cap = DEFAULT_REORDER_CAP,
  ) {
    this.rec = { text: '', start: 0, end: 0, body: 0, ts: 0, task: newTask(-1), pid: -1, lineNo: 0 };
  }

  /** Fill `rec` from a parsed header of `text[start, end)`; call before handling the event. */
  begin(h: LineHeader, text: string, start: number, end: number, lineNo: number, body: number): EventRec {
    const r = this.rec;
    let ts = this.time.ns(h);
    if (ts < 0) {
      this.ctx.counters.add('ts_before_first');
      this.warnOnce('ts-before-first', lineNo,
        'a time at or after the first event\'s: this event is earlier than the trace\'s first line and is clamped to ts 0 (ts_before_first counts them); record with a single sorted output (perf script sorts by time) to keep the order', text.slice(start, end).trim());
      ts = 0;
    }
    r.text = text;
    r.start = start;
    r.end = end;
    r.body = body;
    r.ts = ts;
    r.lineNo = lineNo;
    r.pid = h.pid;
    r.task = this.tasks.task(h.tid);
    if (h.pid >= 0) this.tasks.printed(r.task, h.pid);
    return r;
  }

  /**
   * Run `handler` (the caller looked it up for `name` in tracepoints.ts TRACEPOINTS), or count
   * `name` unknown when none.
   */
  handle(handler: EventHandler | undefined, name: string, r: EventRec): void {
    if (handler !== undefined) handler(this, r);
    else this.unknown(name);
    if (this.queue.length > 0) this.drain();
  }

  /** Write whatever became ready; call after rows made outside `dispatch`. */
  afterEvent(): void {
    if (this.queue.length > 0) this.drain();
  }

  /** Count an event mmreplay does not use (`skipped.unknown_event.<name>`). */
  unknown(name: string): void {
    let key = this.unknownKeys.get(name);
    if (key === undefined) {
      key = `skipped.unknown_event.${name}`;
      this.unknownKeys.set(name, key);
    }
    this.ctx.counters.add('skipped_unknown_event');
    this.ctx.counters.add(key);
  }

  /** Report a malformed field of the current line. */
  bad(r: EventRec, code: string, expected: string): void {
    this.ctx.issues.error({ code, stage: 'ingest', file: this.ctx.file, line: r.lineNo, text: r.text.slice(r.start, r.end).trim(), expected });
  }

  /** Warn once per `code` for this file. */
  warnOnce(code: string, line: number, expected: string, text?: string): void {
    if (this.warned.has(code)) return;
    this.warned.add(code);
    this.ctx.issues.warn({ code, stage: 'ingest', file: this.ctx.file, line, text, expected });
  }

  /** One row of thread `t` (pid -1 when not printed). The hot path. */
  row(t: Task, pid: number, ts: number, op: number, addr: number, len: number, arg: number, line: number): void {
    if (!t.hasRows) this.firstRow(t, ts, line);
    if (this.queue.length === 0) {
      const p = pid >= 0 ? pid : this.tasks.pidOf(t);
      if (p >= 0) {
        this.write(t, p, ts, op, addr, len, arg, line);
        return;
      }
    }
    this.queue.push(ts, pid, t.tid, op, addr, len, arg, line);
    if (this.queue.length > this.cap) this.forceHead();
  }

  /** sys_enter_mmap: reserve the row's place; `mmapExit` fills in the address. */
  mmapEnter(r: EventRec, len: number, arg: number): void {
    const t = r.task;
    if (!t.hasRows) this.firstRow(t, r.ts, r.lineNo);
    if (t.mmapSlot >= 0) this.dropMmap(t);
    t.mmapSlot = this.queue.push(r.ts, r.pid, t.tid, PENDING_MMAP, 0, len, arg, r.lineNo);
    if (this.queue.length > this.cap) this.forceHead();
  }

  /** sys_exit_mmap: `addr` is the mapped address, or -1 when the syscall failed. */
  mmapExit(r: EventRec, addr: number): void {
    const t = r.task;
    const i = t.mmapSlot >= 0 ? this.queue.indexOf(t.mmapSlot) : -1;
    t.mmapSlot = -1;
    if (i < 0) {
      this.ctx.counters.add('skipped_unpaired_exit');
      return;
    }
    if (addr < 0) {
      this.queue.op[i] = DROPPED;
      this.ctx.counters.add('skipped_failed_syscall');
    } else {
      this.queue.op[i] = Op.mmap;
      this.queue.addr[i] = addr;
    }
  }

  /**
   * `r.task` created thread `childTid` with clone `flags` (-1 unknown). A fork writes the
   * parent's `fork` row, in the child's birth slot when the child already showed up.
   */
  childCreated(r: EventRec, childTid: number, flags: number): void {
    const parent = r.task;
    this.tasks.closeClone(parent);
    if (flags < 0 && !this.tasks.peek(childTid)?.decided) {
      this.ctx.counters.add('clone_flags_assumed');
      this.warnOnce('clone-flags-assumed', r.lineNo,
        'clone3() passes its flags in memory, so children created by clone3 without a task:task_newtask event are taken as threads (CLONE_VM); record task:task_newtask to know');
    }
    if (this.tasks.decideChild(parent, childTid, flags) !== 'fork') return;
    const child = this.tasks.task(childTid);
    const slot = child.birthSlot >= 0 ? this.queue.indexOf(child.birthSlot) : -1;
    if (slot >= 0) {
      const q = this.queue;
      q.op[slot] = Op.fork;
      q.tid[slot] = parent.tid;
      q.pid[slot] = r.pid;
      q.arg[slot] = childTid;
      q.line[slot] = r.lineNo;
      if (!parent.hasRows) parent.hasRows = true;
    } else if (child.hasRows) {
      this.ctx.counters.add('skipped_late_fork');
      this.warnOnce('late-fork', r.lineNo,
        `the fork creating pid ${childTid} is recorded after that process's first events; its fork row is left out and the process exists from time 0`);
    } else {
      this.row(parent, r.pid, r.ts, Op.fork, 0, 0, childTid, r.lineNo);
    }
  }

  /** The thread took the mmap_lock of `mm`. */
  mmSeen(t: Task, mm: string): void {
    this.tasks.mmSeen(t, mm);
  }

  /** End of input: force everything still waiting, then report how processes were grouped. */
  finish(): void {
    while (this.queue.length > 0) {
      this.drain();
      if (this.queue.length > 0) this.forceHead();
    }
    if (this.tasks.mmConflicts > 0) {
      this.ctx.counters.add('pid_grouping_conflict', this.tasks.mmConflicts);
    }
  }

  /** A thread's first row: reserve a birth slot when a clone in progress may have created it. */
  private firstRow(t: Task, ts: number, line: number): void {
    t.hasRows = true;
    const cloning = this.tasks.cloning;
    if (cloning.size === 0 || t.decided || cloning.has(t)) return;
    const parents = [...cloning];
    const seq = this.queue.push(ts, -1, t.tid, PENDING_BIRTH, 0, 0, 0, line);
    t.birthSlot = seq;
    this.births.set(seq, { child: t, parents, opened: parents.map((p) => p.clonesOpened) });
  }

  private birthReady(w: BirthWait): boolean {
    if (w.child.decided) return true;
    for (let k = 0; k < w.parents.length; k++) if (w.parents[k]!.clonesClosed < w.opened[k]!) return false;
    return true;
  }

  /** Write every head entry that is ready. */
  private drain(): void {
    const q = this.queue;
    while (q.length > 0) {
      const i = q.headIndex;
      const op = q.op[i]!;
      if (op === PENDING_MMAP) return;
      if (op === PENDING_BIRTH) {
        const w = this.births.get(q.headSeq)!;
        if (!this.birthReady(w)) return;
        this.closeBirth(q.headSeq, w);
        q.shift();
        continue;
      }
      if (op !== DROPPED) {
        const t = this.tasks.task(q.tid[i]!);
        let pid = q.pid[i]!;
        if (pid < 0) pid = this.tasks.pidOf(t);
        if (pid < 0) return;
        if (op === Op.fork) this.births.delete(q.headSeq);
        this.write(t, pid, q.ts[i]!, op, q.addr[i]!, q.len[i]!, q.arg[i]!, q.line[i]!);
      }
      q.shift();
    }
  }

  private closeBirth(seq: number, w: BirthWait): void {
    this.births.delete(seq);
    if (w.child.birthSlot === seq) w.child.birthSlot = -1;
  }

  /** The buffer is full or the input ended: decide the head entry by the fallback rules. */
  private forceHead(): void {
    const q = this.queue;
    const i = q.headIndex;
    const op = q.op[i]!;
    if (op === PENDING_MMAP) {
      const t = this.tasks.task(q.tid[i]!);
      this.dropMmap(t);
      return this.drain();
    }
    if (op === PENDING_BIRTH) {
      this.closeBirth(q.headSeq, this.births.get(q.headSeq)!);
      q.op[i] = DROPPED;
      return this.drain();
    }
    const t = this.tasks.task(q.tid[i]!);
    const g = this.tasks.force(t, this.ctx.options.pid);
    if (g.source === 'assumed') {
      const rule = this.ctx.options.pid !== undefined ? `put in process ${this.ctx.options.pid} as --pid says` : 'taken as its own process (pid = tid)';
      this.warnOnce('pid-grouping-assumed', q.line[i]!,
        `thread ${t.tid}: no pid printed, no mmap_lock mm= pointer and no recorded clone tell its process, so it is ${rule}; wrong grouping splits one address space into many: print pids (perf script -F comm,pid,tid,...) or record mmap_lock:* events`);
    }
    this.drain();
  }

  private dropMmap(t: Task): void {
    const i = t.mmapSlot >= 0 ? this.queue.indexOf(t.mmapSlot) : -1;
    t.mmapSlot = -1;
    if (i >= 0) this.queue.op[i] = DROPPED;
    this.ctx.counters.add('skipped_unpaired_enter');
  }

  private write(t: Task, pid: number, ts: number, op: number, addr: number, len: number, arg: number, line: number): void {
    if (!t.accounted) this.account(t, line);
    this.ctx.events.push(ts, pid, t.tid, op, addr, len, arg, line);
  }

  /** Count how a thread's process was decided, at its first written row. */
  private account(t: Task, line: number): void {
    t.accounted = true;
    if (t.printed) return;
    const source = this.tasks.root(t).source;
    if (source === 'assumed') {
      this.ctx.counters.add('pid_grouping_assumed');
    } else if (source !== 'printed' && source !== null) {
      this.ctx.counters.add('pid_grouping_inferred');
      this.warnOnce('pid-grouping-inferred', line,
        'this trace prints thread ids only: threads are grouped into processes by the clone/fork events that created them and the mm= pointers of their mmap_lock events (print pids with perf script -F comm,pid,tid,... to make this exact)');
    }
  }
}
