/**
 * Threads and the processes (address spaces) they belong to, in recorded traces that may print
 * only thread ids (perf's default fields for tracepoints, raw ftrace without record-tgid,
 * trace-cmd). docs/design.md section 1: "Where only tids are printed, threads are grouped into
 * processes by the `mm=` pointer of their `mmap_lock` events, or as `--pid` says, with a warning."
 *
 * A thread's process is decided, in this order of authority, by:
 * 1. the pid printed on its lines (perf `PID/TID`, ftrace `(TGID)`): final at once;
 * 2. the clone that created it: a child without CLONE_VM is a new process whose pid is its tid
 *    (a `fork` row is written in the parent); a CLONE_VM child is a thread of its parent's
 *    process (its group is its parent's group);
 * 3. the `mm=` pointer of its first mmap_lock event outside a clone syscall (fork's dup_mmap
 *    locks the child's new mm from the parent thread, so events inside clone are ignored): a
 *    thread showing an mm some group already owns joins that group; a group showing a new mm
 *    owns it and becomes final with pid = its first tid (the main thread, in a trace that saw
 *    the process start);
 * 4. nothing known by the end of the trace (or by the time the reorder buffer is full): the
 *    group is forced to `--pid` when given, else to its first tid (each thread its own
 *    process). Forced groups are `assumed` and counted in `pid_grouping_assumed`.
 *
 * Groups form a union-find forest; only non-final groups are ever merged into another group, so
 * a final group's pid never changes after its rows have been written.
 */

/** What decided a group's pid. */
export type GroupSource = 'printed' | 'fork' | 'mm' | 'assumed';

/** A set of threads sharing one address space. */
export interface Group {
  up: Group | null;
  pid: number;
  final: boolean;
  source: GroupSource | null;
  firstTid: number;
}

/** One thread as the trace shows it. */
export interface Task {
  tid: number;
  group: Group;
  /** Inside a clone/clone3/fork/vfork syscall (entry seen, no child named yet). */
  cloneOpen: boolean;
  /** Clone flags from sys_enter_clone/fork/vfork; -1 unknown (clone3 passes a pointer). */
  cloneFlags: number;
  /** Count of clone syscalls opened / closed by this thread (birth slots wait on these). */
  clonesOpened: number;
  clonesClosed: number;
  /** How this thread was created has been decided (by the parent's clone events). */
  decided: boolean;
  /** Some row of this thread has been queued or written. */
  hasRows: boolean;
  /** Queue sequence number of a birth slot waiting before this thread's first row, or -1. */
  birthSlot: number;
  /** Queue sequence number of this thread's pending mmap (entry seen, exit not yet), or -1. */
  mmapSlot: number;
  /** Counted in pid-grouping counters once its first row was written. */
  accounted: boolean;
  /** Some line printed this thread's pid. */
  printed: boolean;
}

/** A thread seen for the first time, in a group of its own. */
export function newTask(tid: number): Task {
  return {
    tid, group: { up: null, pid: -1, final: false, source: null, firstTid: tid },
    cloneOpen: false, cloneFlags: -1, clonesOpened: 0, clonesClosed: 0, decided: false,
    hasRows: false, birthSlot: -1, mmapSlot: -1, accounted: false, printed: false,
  };
}

/** CLONE_VM: the child shares the parent's address space (a thread, or vfork). */
export const CLONE_VM = 0x100;
/** Flags of fork(2) and vfork(2) as clone flags. */
export const FORK_FLAGS = 0x11; // SIGCHLD
export const VFORK_FLAGS = 0x4111; // CLONE_VM | CLONE_VFORK | SIGCHLD

/** How a child's creation was decided. */
export type ChildKind = 'thread' | 'fork' | 'known';

export class TaskTable {
  private readonly tasks = new Map<number, Task>();
  private readonly mmOwner = new Map<string, Group>();
  private last: Task | undefined;
  /** Threads currently inside a clone syscall. */
  readonly cloning = new Set<Task>();
  /** Set when an mm pointer gave a conflicting answer (pointer reuse after exit, or a bad guess). */
  mmConflicts = 0;
  /** Set when some group was decided by an mm pointer. */
  usedMm = false;

  /** The thread `tid`, created on first sight with a group of its own. */
  task(tid: number): Task {
    const l = this.last;
    if (l !== undefined && l.tid === tid) return l;
    let t = this.tasks.get(tid);
    if (t === undefined) {
      t = newTask(tid);
      this.tasks.set(tid, t);
    }
    this.last = t;
    return t;
  }

  /** The thread if it has been seen. */
  peek(tid: number): Task | undefined {
    return this.tasks.get(tid);
  }

  /** Root of a task's group (path-compressing). */
  root(t: Task): Group {
    let g = t.group;
    while (g.up !== null) g = g.up;
    let h = t.group;
    while (h.up !== null && h.up !== g) {
      const next = h.up;
      h.up = g;
      h = next;
    }
    t.group = g;
    return g;
  }

  /** The pid of a thread if its process is final, else -1. */
  pidOf(t: Task): number {
    let g = t.group;
    if (g.up === null) return g.final ? g.pid : -1;
    g = this.root(t);
    return g.final ? g.pid : -1;
  }

  /** The line printed this thread's pid. */
  printed(t: Task, pid: number): void {
    t.printed = true;
    const g = this.root(t);
    if (!g.final) finalize(g, pid, 'printed');
  }

  /** The thread entered clone/clone3/fork/vfork with these flags (-1 unknown). */
  openClone(t: Task, flags: number): void {
    if (t.cloneOpen) this.closeClone(t);
    t.cloneOpen = true;
    t.cloneFlags = flags;
    t.clonesOpened++;
    this.cloning.add(t);
  }

  /** The thread's clone syscall ended or named its child. */
  closeClone(t: Task): void {
    if (!t.cloneOpen) return;
    t.cloneOpen = false;
    t.clonesClosed = t.clonesOpened;
    this.cloning.delete(t);
  }

  /**
   * `parent` created `childTid` with `flags` (-1: unknown, taken as CLONE_VM, the glibc
   * pthread_create case; clone3 passes its flags through a pointer). Returns how the child was
   * placed, or 'known' when an earlier event already decided it.
   */
  decideChild(parent: Task, childTid: number, flags: number): ChildKind {
    const child = this.task(childTid);
    if (child.decided || child === parent) return 'known';
    child.decided = true;
    const cg = this.root(child);
    if (flags < 0 || (flags & CLONE_VM) !== 0) {
      const pg = this.root(parent);
      if (cg !== pg) {
        if (!cg.final) cg.up = pg;
        else if (!pg.final) pg.up = cg;
        else this.mmConflicts++;
      }
      return 'thread';
    }
    if (!cg.final) finalize(cg, childTid, 'fork');
    else if (cg.pid !== childTid) this.mmConflicts++;
    return 'fork';
  }

  /** The thread took the mmap_lock of `mm` (pointer text as printed). */
  mmSeen(t: Task, mm: string): void {
    if (t.cloneOpen) return;
    const g = this.root(t);
    const owner = this.mmOwner.get(mm);
    if (owner === undefined) {
      this.mmOwner.set(mm, g);
      if (!g.final) {
        finalize(g, g.firstTid, 'mm');
        this.usedMm = true;
      }
      return;
    }
    let o = owner;
    while (o.up !== null) o = o.up;
    if (o === g) return;
    if (!g.final) {
      g.up = o;
      this.usedMm = true;
    } else {
      // Both final and different. A group known from a printed pid or a fork has a new mm
      // whose pointer may reuse a freed one (exec frees the old mm; slabs are reused), so it
      // takes the pointer over silently. A group only inferred or assumed should not see
      // another process's mm: that is a grouping conflict, counted.
      this.mmOwner.set(mm, g);
      if (g.source === 'mm' || g.source === 'assumed') this.mmConflicts++;
    }
  }

  /** Decide a thread's group by the fallback rule (`--pid`, else its first tid). */
  force(t: Task, pid: number | undefined): Group {
    const g = this.root(t);
    if (!g.final) finalize(g, pid ?? g.firstTid, 'assumed');
    return g;
  }
}

function finalize(g: Group, pid: number, source: GroupSource): void {
  g.final = true;
  g.pid = pid;
  g.source = source;
}
