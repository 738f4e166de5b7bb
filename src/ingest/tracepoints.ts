/**
 * One handler per tracepoint, as perf keeps one per event: each parses its body (as perf script,
 * raw ftrace and trace-cmd report print it; see perf_fields.ts) and tells the TraceState what
 * the event means for the event table (docs/design.md section 1, "Recorded sources").
 * Handlers are registered under `subsystem:name` (perf) and bare `name` (ftrace, trace-cmd).
 */
import type { EventHandler, EventRec, TraceState } from './perf_state.js';
import { BAD, TOO_BIG, boolAt, decAt, hexAt, hexEnd, isNegativeAt, textAt, valueAt, valueEnd } from './perf_fields.js';
import { FORK_FLAGS, VFORK_FLAGS } from './perf_tasks.js';
import {
  MMAP_FILE, MMAP_FILE_ID_SHIFT, MMAP_RDONLY, MMAP_SHARED, OBS_SUCCESS, OBS_WRITE, Op,
  PROT_NONE, PROT_READ, PROT_READ_WRITE,
} from './schema.js';

/** Handles one tracepoint event of the current line. */
export type TracepointHandler = EventHandler;

/** x86 page-fault error code bits (arch/x86/include/asm/trap_pf.h). */
const X86_PF_WRITE = 1 << 1;
const X86_PF_INSTR = 1 << 4;

/** mmap(2) flag and prot bits (include/uapi/asm-generic/mman*.h). */
const MAP_SHARED_BIT = 0x01; // MAP_SHARED and MAP_SHARED_VALIDATE (0x03) both set it
const MAP_ANONYMOUS = 0x20;
const PROT_WRITE_BIT = 0x2;
const PROT_READ_EXEC = 0x5;
/** madvise(2) advice values. */
const MADV_DONTNEED = 4;
const MADV_PAGEOUT = 21;
/** Largest file id that fits `arg` bits 8-31. */
const FILE_ID_MASK = 0xffffff;

/** lock:contention_begin flag names (include/trace/events/lock.h LCB_F_*). */
const CONTENTION_FLAGS: Record<string, number> = { SPIN: 1, READ: 2, WRITE: 4, RT: 8, PERCPU: 16, MUTEX: 32 };

/** A syscall entry body as printed: `name: value` pairs joined by `, ` (ftrace: then its closing parenthesis), nothing after. */
const SYSCALL_ARGS = /^(?:\w+: -?(?:0x)?[0-9a-fA-F]+(?:, \w+: -?(?:0x)?[0-9a-fA-F]+)*)?\)?[ \t]*$/;
/** A syscall exit body: the return value alone. */
const SYSCALL_RET = /^-?(?:0x)?[0-9a-fA-F]+[ \t]*$/;

/** True when the syscall body matches `form`; else the line is reported (trailing text, a line run into the next). */
function syscallBody(st: TraceState, r: EventRec, form: RegExp, what: string): boolean {
  if (form.test(r.text.slice(r.body, r.end))) return true;
  st.bad(r, 'bad-field', `${what}, and nothing after it`);
  return false;
}

const enterBody = (st: TraceState, r: EventRec): boolean => syscallBody(st, r, SYSCALL_ARGS, 'a syscall entry body: name: value pairs joined by ", "');

/** A syscall argument: hex with or without `0x`; BAD/TOO_BIG as parsed. */
function arg(r: EventRec, key: string): number {
  return hexAt(r.text, valueAt(r.text, r.body, r.end, key), r.end);
}

/** A parsed page_fault_user body: `addr` (BAD, TOO_BIG or the address) and the row's op (or BAD). */
export interface FaultFields {
  addr: number;
  op: number;
}

/**
 * exceptions:page_fault_user body `text[body, end)`: `address=0x.. ip=0x.. error_code=0x..`
 * -> the address and read / write / fetch. Pure, so trace_worker.ts parses it off this thread.
 */
export function parseFault(text: string, body: number, end: number, out: FaultFields): void {
  // As the kernel prints it (`address=%ps ip=%ps error_code=0x%lx`): the three fields in this
  // order, the address and error code in hex with `0x`, nothing after but blanks. Anything else
  // (`address=12345`, trailing text, a line that ran into the next one) is a malformed body.
  out.addr = BAD;
  out.op = BAD;
  if (!text.startsWith('address=0', body) || (text.charCodeAt(body + 9) | 32) !== 120 /* x */) return;
  const addr = hexAt(text, body + 8, end);
  if (addr === BAD) return;
  let i = hexEnd;
  if (!text.startsWith(' ip=', i)) return;
  i += 4;
  while (i < end && text.charCodeAt(i) !== SP && text.charCodeAt(i) !== TAB) i++;
  if (!text.startsWith(' error_code=0', i) || (text.charCodeAt(i + 13) | 32) !== 120) return;
  const code = hexAt(text, i + 12, end);
  if (code < 0) return;
  for (let k = hexEnd; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c !== SP && c !== TAB) return;
  }
  out.addr = addr;
  out.op = faultOp(code);
}

const SP = 32, TAB = 9;

/** The row op of a page fault's x86 error code: fetch, write or read (BAD for a BAD or TOO_BIG code). */
export function faultOp(code: number): number {
  return code < 0 ? BAD : (code & X86_PF_INSTR) !== 0 ? Op.fetch : (code & X86_PF_WRITE) !== 0 ? Op.write : Op.read;
}

/** The row of a page fault at `addr`, however its line was parsed. */
export function faultRow(st: TraceState, r: EventRec, op: number, addr: number): void {
  st.row(r.task, r.pid, r.ts, op, addr, 1, 0, r.lineNo);
}

const fault: FaultFields = { addr: 0, op: 0 };

/** exceptions:page_fault_user -> one read, write or fetch row. */
export function pageFaultUser(st: TraceState, r: EventRec): void {
  parseFault(r.text, r.body, r.end, fault);
  if (fault.addr === TOO_BIG) return st.ctx.counters.add('skipped_kernel_address');
  if (fault.addr < 0 || fault.op < 0) return st.bad(r, 'bad-field', 'a page_fault_user body: address=0x<hex> ip=0x<hex> error_code=0x<hex>');
  faultRow(st, r, fault.op, fault.addr);
}

/** syscalls:sys_enter_mmap: keep len/prot/flags/fd until the exit gives the address. */
function enterMmap(st: TraceState, r: EventRec): void {
  if (!enterBody(st, r)) return;
  const len = arg(r, 'len: '), prot = arg(r, 'prot: '), flags = arg(r, 'flags: ');
  let fd = arg(r, 'fd: ');
  if (len < 0 || prot < 0 || flags < 0 || fd === BAD) {
    return st.bad(r, 'bad-field', 'a sys_enter_mmap body: addr: <hex>, len: <hex>, prot: <hex>, flags: <hex>, fd: <hex>, off: <hex>');
  }
  if (fd === TOO_BIG || fd >= 0x80000000) fd = -1; // -1 printed as 0xffffffff or 0xffffffffffffffff
  const file = fd >= 0 && (flags & MAP_ANONYMOUS) === 0;
  const bits = ((flags & MAP_SHARED_BIT) !== 0 ? MMAP_SHARED : 0)
    + ((prot & PROT_WRITE_BIT) === 0 ? MMAP_RDONLY : 0) // PROT_NONE too: no access was recorded there
    + (file ? MMAP_FILE + (fd & FILE_ID_MASK) * 2 ** MMAP_FILE_ID_SHIFT : 0);
  st.mmapEnter(r, len, bits);
}

/** A syscall return value: -1 for an error (negative, or `0xffff...` at or above 2^53). */
function syscallReturn(st: TraceState, r: EventRec): number | undefined {
  if (!syscallBody(st, r, SYSCALL_RET, 'a syscall return value: 0x<hex>')) return undefined;
  if (isNegativeAt(r.text, r.body, r.end)) return -1;
  const v = hexAt(r.text, r.body, r.end);
  if (v === TOO_BIG) return -1;
  if (v === BAD) {
    st.bad(r, 'bad-field', 'a syscall return value: 0x<hex>');
    return undefined;
  }
  return v;
}

/** syscalls:sys_exit_mmap: the mapped address, or a failure. */
function exitMmap(st: TraceState, r: EventRec): void {
  const ret = syscallReturn(st, r);
  if (ret !== undefined) st.mmapExit(r, ret);
}

/** A range syscall: `start`, `len` and one more argument, or a reported error. */
function range(st: TraceState, r: EventRec, startKey: string, lenKey: string, what: string): [number, number] | undefined {
  if (!enterBody(st, r)) return undefined;
  const start = arg(r, startKey);
  let len = arg(r, lenKey);
  if (len === BAD && lenKey === 'len_in: ') len = arg(r, 'len: ');
  if (start < 0 || len < 0) {
    st.bad(r, 'bad-field', `a ${what} body with ${startKey}<hex> and ${lenKey}<hex>`);
    return undefined;
  }
  return [start, len];
}

/** syscalls:sys_enter_munmap. Entry only: a failed munmap is still replayed. */
function munmap(st: TraceState, r: EventRec): void {
  const a = range(st, r, 'addr: ', 'len: ', 'sys_enter_munmap');
  if (a) st.row(r.task, r.pid, r.ts, Op.munmap, a[0], a[1], 0, r.lineNo);
}

/** syscalls:sys_enter_mprotect: prot mapped to 0 none, 1 read (or exec), 3 read-write. */
function mprotect(st: TraceState, r: EventRec): void {
  const a = range(st, r, 'start: ', 'len: ', 'sys_enter_mprotect');
  const prot = arg(r, 'prot: ');
  if (!a) return;
  if (prot < 0) return st.bad(r, 'bad-field', 'a sys_enter_mprotect body with prot: <hex>');
  const p = (prot & PROT_WRITE_BIT) !== 0 ? PROT_READ_WRITE : (prot & PROT_READ_EXEC) !== 0 ? PROT_READ : PROT_NONE;
  st.row(r.task, r.pid, r.ts, Op.mprotect, a[0], a[1], p, r.lineNo);
}

/** syscalls:sys_enter_madvise: MADV_DONTNEED -> discard, MADV_PAGEOUT -> swapout, others skipped. */
function madvise(st: TraceState, r: EventRec): void {
  const a = range(st, r, 'start: ', 'len_in: ', 'sys_enter_madvise');
  const advice = arg(r, 'behavior: ');
  if (!a) return;
  if (advice < 0) return st.bad(r, 'bad-field', 'a sys_enter_madvise body with behavior: <hex>');
  const op = advice === MADV_DONTNEED ? Op.discard : advice === MADV_PAGEOUT ? Op.swapout : -1;
  if (op < 0) return st.ctx.counters.add('skipped_madvise_other');
  st.row(r.task, r.pid, r.ts, op, a[0], a[1], 0, r.lineNo);
}

/**
 * syscalls:sys_enter_move_pages: the tracepoint has only pointers to the user arrays of
 * addresses and target nodes, so which pages move, and where, is not in the trace: counted and
 * not replayed. The migrate:mm_migrate_pages observation that follows keeps the outcome.
 */
function movePages(st: TraceState, r: EventRec): void {
  if (!enterBody(st, r)) return;
  st.ctx.counters.add('skipped_move_pages');
  st.warnOnce('move-pages', r.lineNo,
    'move_pages() is recorded, but its tracepoint carries only pointers to the page and node arrays, so the pages are unknown and no migrate row is written; write migrate rows in CSV to replay migrations');
}

/** sys_enter_clone (flags known), clone3 (flags behind a pointer), fork, vfork. */
const enterClone = (flags: number | 'clone'): TracepointHandler => (st, r) => {
  if (!enterBody(st, r)) return;
  let f = flags === 'clone' ? arg(r, 'clone_flags: ') : flags;
  if (f === BAD || f === TOO_BIG) f = -1;
  st.tasks.openClone(r.task, f);
};

/** sys_exit_clone/clone3/fork/vfork: a return > 0 in the parent names the child. */
const exitClone = (fallbackFlags: number): TracepointHandler => (st, r) => {
  const ret = syscallReturn(st, r);
  if (ret === undefined || ret === 0) return; // 0: the child returning
  const t = r.task;
  if (ret < 0) {
    st.tasks.closeClone(t);
    return st.ctx.counters.add('skipped_failed_syscall');
  }
  st.childCreated(r, ret, t.cloneOpen ? t.cloneFlags : fallbackFlags);
};

/** task:task_newtask (parent context): `pid=CHILD comm=.. clone_flags=HEX ...`. */
function taskNewtask(st: TraceState, r: EventRec): void {
  const child = decAt(r.text, valueAt(r.text, r.body, r.end, 'pid='), r.end);
  const flags = hexAt(r.text, valueAt(r.text, r.body, r.end, 'clone_flags='), r.end);
  if (child <= 0 || flags < 0) return st.bad(r, 'bad-field', 'a task_newtask body: pid=<dec> comm=<name> clone_flags=<hex>');
  st.childCreated(r, child, flags);
}

/** sched:sched_process_fork (parent context): `... child_pid=CHILD`; flags from the open clone. */
function schedProcessFork(st: TraceState, r: EventRec): void {
  const child = decAt(r.text, valueAt(r.text, r.body, r.end, 'child_pid='), r.end);
  if (child <= 0) return st.bad(r, 'bad-field', 'a sched_process_fork body with child_pid=<dec>');
  st.childCreated(r, child, r.task.cloneOpen ? r.task.cloneFlags : -1);
}

/** sched:sched_process_exit: the thread ends. */
function schedProcessExit(st: TraceState, r: EventRec): void {
  st.row(r.task, r.pid, r.ts, Op.exit, 0, 0, 0, r.lineNo);
}

/** mmap_lock:* -> obs rows: addr = interned mm pointer, arg = OBS_WRITE | OBS_SUCCESS. */
const mmapLock = (op: number, hasSuccess: boolean): TracepointHandler => (st, r) => {
  const at = valueAt(r.text, r.body, r.end, 'mm=');
  if (at < 0 || valueEnd(r.text, at, r.end) === at) return st.bad(r, 'bad-field', 'an mmap_lock body: mm=<pointer> memcg_id=<n> write=true|false');
  const mm = textAt(r.text, at, r.end);
  st.mmSeen(r.task, mm);
  let bits = boolAt(r.text, valueAt(r.text, at, r.end, 'write=')) ? OBS_WRITE : 0;
  if (hasSuccess && boolAt(r.text, valueAt(r.text, at, r.end, 'success='))) bits |= OBS_SUCCESS;
  st.row(r.task, r.pid, r.ts, op, st.ctx.events.internObject(mm), 0, bits, r.lineNo);
};

/** lock:contention_begin: `LOCK (flags=SPIN|WRITE)` -> obs row, arg = LCB_F_* bits. */
function contentionBegin(st: TraceState, r: EventRec): void {
  const lock = textAt(r.text, r.body, r.end);
  const f = valueAt(r.text, r.body, r.end, '(flags=');
  if (lock.length === 0 || f < 0) return st.bad(r, 'bad-field', 'a contention_begin body: <lock pointer> (flags=NAME|NAME)');
  st.row(r.task, r.pid, r.ts, Op.obs_contention_begin, st.ctx.events.internObject(lock), 0, contentionFlags(r.text, f, r.end), r.lineNo);
}

/** The flag names (or a number) from `(flags=...)` up to `)`. */
function contentionFlags(line: string, from: number, lineEnd: number): number {
  const end = valueEnd(line, from, lineEnd);
  const text = line.slice(from, end);
  if (text.length > 2 && text.charCodeAt(1) === 120) return Math.max(0, hexAt(line, from, end));
  let bits = 0;
  for (const name of text.split('|')) bits |= CONTENTION_FLAGS[name] ?? 0;
  return bits;
}

/** lock:contention_end: `LOCK (ret=N)` -> obs row, arg = errno (0 when the lock was taken). */
function contentionEnd(st: TraceState, r: EventRec): void {
  const lock = textAt(r.text, r.body, r.end);
  const at = valueAt(r.text, r.body, r.end, '(ret=');
  const neg = isNegativeAt(r.text, at, r.end);
  const ret = decAt(r.text, neg ? at + 1 : at, r.end);
  if (lock.length === 0 || ret < 0) return st.bad(r, 'bad-field', 'a contention_end body: <lock pointer> (ret=<dec>)');
  st.row(r.task, r.pid, r.ts, Op.obs_contention_end, st.ctx.events.internObject(lock), 0, ret, r.lineNo);
}

/** migrate:mm_migrate_pages -> obs row: arg = succeeded, len = failed, addr = interned `reason=`. */
function mmMigratePages(st: TraceState, r: EventRec): void {
  const ok = decAt(r.text, valueAt(r.text, r.body, r.end, 'nr_succeeded='), r.end);
  const failed = decAt(r.text, valueAt(r.text, r.body, r.end, 'nr_failed='), r.end);
  if (ok < 0 || failed < 0) return st.bad(r, 'bad-field', 'an mm_migrate_pages body: nr_succeeded=<dec> nr_failed=<dec> ... reason=<name>');
  const reason = textAt(r.text, valueAt(r.text, r.body, r.end, 'reason='), r.end);
  st.row(r.task, r.pid, r.ts, Op.obs_migrate_pages, st.ctx.events.internObject(`reason=${reason}`), failed, ok, r.lineNo);
}

/** Exits of range syscalls: recorded by some setups, not needed (entries are replayed). */
function unusedExit(st: TraceState, r: EventRec): void {
  if (!syscallBody(st, r, SYSCALL_RET, 'a syscall return value: 0x<hex>')) return;
  st.ctx.counters.add('skipped_syscall_exit');
}

const HANDLERS: readonly (readonly [string, string, TracepointHandler])[] = [
  ['exceptions', 'page_fault_user', pageFaultUser],
  ['syscalls', 'sys_enter_mmap', enterMmap],
  ['syscalls', 'sys_exit_mmap', exitMmap],
  ['syscalls', 'sys_enter_munmap', munmap],
  ['syscalls', 'sys_enter_mprotect', mprotect],
  ['syscalls', 'sys_enter_madvise', madvise],
  ['syscalls', 'sys_enter_move_pages', movePages],
  ['syscalls', 'sys_enter_clone', enterClone('clone')],
  ['syscalls', 'sys_enter_clone3', enterClone(-1)],
  ['syscalls', 'sys_enter_fork', enterClone(FORK_FLAGS)],
  ['syscalls', 'sys_enter_vfork', enterClone(VFORK_FLAGS)],
  ['syscalls', 'sys_exit_clone', exitClone(-1)],
  ['syscalls', 'sys_exit_clone3', exitClone(-1)],
  ['syscalls', 'sys_exit_fork', exitClone(FORK_FLAGS)],
  ['syscalls', 'sys_exit_vfork', exitClone(VFORK_FLAGS)],
  ['syscalls', 'sys_exit_munmap', unusedExit],
  ['syscalls', 'sys_exit_mprotect', unusedExit],
  ['syscalls', 'sys_exit_madvise', unusedExit],
  ['syscalls', 'sys_exit_move_pages', unusedExit],
  ['task', 'task_newtask', taskNewtask],
  ['sched', 'sched_process_fork', schedProcessFork],
  ['sched', 'sched_process_exit', schedProcessExit],
  ['mmap_lock', 'mmap_lock_start_locking', mmapLock(Op.obs_mmap_lock_start, false)],
  ['mmap_lock', 'mmap_lock_acquire_returned', mmapLock(Op.obs_mmap_lock_acquired, true)],
  ['mmap_lock', 'mmap_lock_released', mmapLock(Op.obs_mmap_lock_released, false)],
  ['lock', 'contention_begin', contentionBegin],
  ['lock', 'contention_end', contentionEnd],
  ['migrate', 'mm_migrate_pages', mmMigratePages],
];

/** Handlers by `subsystem:name` and by bare `name`. */
export const TRACEPOINTS: ReadonlyMap<string, TracepointHandler> = new Map(
  HANDLERS.flatMap(([sub, name, h]) => [[`${sub}:${name}`, h], [name, h]] as const),
);

