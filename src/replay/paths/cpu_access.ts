/**
 * A CPU load, store or instruction fetch by a thread (the hardware side): walk the page table;
 * if the PTE maps a folio with the right permission the access completes, otherwise the thread
 * takes a page fault (do_user_addr_fault) and re-executes the access when it returns, as the
 * hardware does. Every completed access is checked by the integrity oracle: a read must see the
 * version its process expects; a write creates a new version in the folio the PTE maps.
 */
import type { Kernel, Thread } from '../kernel.js';
import type { Vma } from '../mm/mm_types.js';
import { LEAK, OK } from '../mm/oracle.js';
import { PTE_DIRTY, PTE_PRESENT, PTE_PROTNONE, PTE_WRITE, PTE_YOUNG, PTRS_PER_PTE } from '../mm/pagetable.js';
import { InvariantError } from '../../util/errors.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import { do_user_addr_fault } from './do_user_addr_fault.js';
import { auto_vma } from './auto_vma.js';
import { VM_FAULT_MAJOR, VM_FAULT_SIGSEGV } from './vm_fault.js';
import type { Path } from '../engine/task.js';

/** Faults in a row on one access after which the emulator declares a livelock (a bug). */
const MAX_REFAULTS = 10000;

/** The VMA covering addr, through the thread's one-entry cache. */
export function vmaOf(task: Thread, addr: number): Vma | null {
  const lv = task.lastVma;
  if (lv !== null && !lv.detached && addr >= lv.vmStart && addr < lv.vmEnd) return lv;
  const v = task.mm.findVma(addr);
  task.lastVma = v;
  return v;
}

/**
 * The integrity oracle's side of a completed access to the folio in slot `s` of the replay's
 * FolioStore (the PTE names present folios by slot): key `c * PTRS_PER_PTE + i` of
 * `view` (the oracle splits keys into chunks as the PTE tables split pages). A write creates a
 * new version, stored in the folio; a read must find the version the view expects. Returns OK,
 * or what the read found for the caller to report (no address is passed: see tryAccessAt).
 * The chunk's array comes through the thread's one-entry cache (Thread.lastChunk): threads of
 * one process share a view and, hitting in turn, would evict each other from the view's own.
 */
function checkKey(k: Kernel, task: Thread, view: number, c: number, i: number, write: boolean, s: number): number {
  const oracle = k.oracle;
  let arr = task.lastChunkNo === c && task.lastChunkView === view ? task.lastChunk : undefined;
  if (arr === undefined) {
    arr = oracle.chunkOf(view, c);
    if (arr !== undefined) {
      task.lastChunk = arr;
      task.lastChunkNo = c;
      task.lastChunkView = view;
    }
  }
  if (write) {
    // Oracle.write() allocates the chunk on the first write that reaches it.
    k.pages.store.data[s] = arr === undefined ? oracle.write(view, c * PTRS_PER_PTE + i) : oracle.writeIn(view, arr, i);
    return OK;
  }
  const expected = arr === undefined ? 0 : arr[i]!;
  const data = k.pages.store.data[s]!;
  if (data === expected) return OK;
  return oracle.check(view, expected, data);
}

/**
 * checkKey() for a shared or file-backed VMA, whose oracle view and key Kernel.oracleSlot
 * chooses. A function of its own, off the private-anonymous hot path, so that tryAccessAt
 * stays small enough for V8 to inline.
 */
function checkObject(k: Kernel, task: Thread, vma: Vma, addr: number, write: boolean, s: number): number {
  const [view, key] = k.oracleSlot(task.mm, vma, addr, write);
  const c = Math.floor(key / PTRS_PER_PTE);
  return checkKey(k, task, view, c, key - c * PTRS_PER_PTE, write, s);
}

/**
 * Try the access without faulting: returns true (and does the oracle work) when the PTE allows
 * it.
 */
export function tryAccess(k: Kernel, task: Thread, addr: number, write: boolean): boolean {
  const one = task.oneAddr;
  one[0] = addr;
  return tryAccessAt(k, task, one, 0, write);
}

/**
 * tryAccess() of the address `addrs[r]` (a row of the address column): the thread's hot path, a
 * few compares and array reads through the thread's caches. The address is read here rather
 * than passed: addresses are past 2^31, not small integers, and V8 boxes such a number (an
 * allocation) to pass it to a function it has not inlined.
 */
export function tryAccessAt(k: Kernel, task: Thread, addrs: Float64Array, r: number, write: boolean): boolean {
  const addr = addrs[r]!;
  const vpn = Math.floor(addr / PAGE_SIZE);
  // One-entry cache of the PTE table (tables are never replaced once allocated).
  const tableNo = Math.floor(vpn / PTRS_PER_PTE);
  let t = task.lastTableNo === tableNo && task.lastTableMm === task.mm ? task.lastTable : undefined;
  if (t === undefined) {
    t = task.mm.pt.lookup(vpn);
    if (t === undefined) return false;
    task.lastTable = t;
    task.lastTableNo = tableNo;
    task.lastTableMm = task.mm;
  }
  // pteIndex(vpn), from the quotient already at hand (exact: integers below 2^53).
  const i = vpn - tableNo * PTRS_PER_PTE;
  if (t.kind[i] !== PTE_PRESENT) return false;
  const bits = t.bits[i]!;
  if ((write && (bits & PTE_WRITE) === 0) || (bits & PTE_PROTNONE) !== 0) return false;
  const vma = vmaOf(task, addr);
  if (vma === null) return false;
  // The CPU sets the accessed bit, and the dirty bit on a store (x86 page walk).
  const nb = bits | (write ? PTE_YOUNG | PTE_DIRTY : PTE_YOUNG);
  if (nb !== bits) t.bits[i] = nb;
  // Private anonymous memory (the common case): the process's own view keyed by page number,
  // so the oracle chunk and index are the PTE table's number and index.
  const found = vma.file < 0 && !vma.isShared()
    ? checkKey(k, task, task.mm.view, tableNo, i, write, t.slot[i]!)
    : checkObject(k, task, vma, addr, write, t.slot[i]!);
  if (found !== OK) k.integrity(found === LEAK ? 'leak' : 'lost_write', task, addr);
  return true;
}

/**
 * Whether an access at `a` whose PTE did not allow it may fault: there is a VMA, or an mmap_lock
 * writer is mid-way through changing VMA boundaries (vma_adjust stores), in which case the fault
 * path waits for it and looks again. Otherwise the access is a SIGSEGV (or --auto-vma).
 */
export function faultable(task: Thread, a: number): boolean {
  return vmaOf(task, a) !== null || task.mm.mmapLock.writer !== null;
}

/** A fault at `a` starts: accounting and its timeline slice. */
export function faultBegin(k: Kernel, task: Thread, a: number, write: boolean): void {
  task.faulted = true;
  k.timeline?.begin(task.tid, 'fault', k.now, { addr: `0x${a.toString(16)}`, write: write ? 1 : 0 });
}

/** The fault returned `r`: close its slice, count it; false when the access ends in SIGSEGV. */
export function faultEnd(k: Kernel, task: Thread, r: number): boolean {
  k.timeline?.end(task.tid, k.now);
  if ((r & VM_FAULT_MAJOR) !== 0) k.stats.summary.major_faults++;
  if ((r & VM_FAULT_SIGSEGV) === 0) return true;
  sigsegv(k, task);
  return false;
}

function oomKilled(k: Kernel, task: Thread): void {
  k.stats.count('accesses_killed');
  task.path = 'oom-killed';
}

function sigsegv(k: Kernel, task: Thread): void {
  k.stats.count('sigsegv');
  task.path = 'sigsegv';
}

/**
 * One access of `len` bytes at `addr`, faulting as needed, page by page. `firstTries`: faults
 * already taken on the first page by the caller (thread_main's single-page fast path).
 */
export function* cpu_access(k: Kernel, task: Thread, addr: number, len: number, write: boolean, firstTries = 0): Path<void> {
  const first = Math.floor(addr / PAGE_SIZE);
  const last = Math.floor((addr + Math.max(len, 1) - 1) / PAGE_SIZE);
  for (let vpn = first; vpn <= last; vpn++) {
    const a = vpn === first ? addr : vpn * PAGE_SIZE;
    let tries = vpn === first ? firstTries : 0;
    while (!tryAccess(k, task, a, write)) {
      if (!faultable(task, a)) {
        if (!k.machine.autoVma) return sigsegv(k, task);
        yield auto_vma(k, task, a);
        continue;
      }
      // An OOM-killed thread returns to user space with SIGKILL pending: the access never completes.
      if (task.oomKilled) return oomKilled(k, task);
      if (++tries > MAX_REFAULTS) throw new InvariantError(`access at 0x${a.toString(16)} faulted ${MAX_REFAULTS} times in a row`, `task ${task.tid}`);
      faultBegin(k, task, a, write);
      if (!faultEnd(k, task, (yield do_user_addr_fault(k, task, a, write)) as number)) return;
    }
  }
  if (task.path === '') task.path = 'hit';
}
