/**
 * get_user_pages / pin_user_pages and their release (mm/gup.c): the `pin`, `unpin`, `gup` and
 * `gup_put` ops. `arg` bit0 = FOLL_WRITE, bit1 = FOLL_LONGTERM (pins only).
 *
 * pin_user_pages_fast / get_user_pages_fast: set MMF_HAS_PINNED for a pin (008cfe4418b3, never
 * cleared), walk the page table locklessly (GUP-fast) while every page can be taken as it is,
 * then fall back to __get_user_pages() under mmap_lock for read for the rest: per page,
 * follow_page_pte(); when it says no, faultin_page() runs handle_mm_fault() with
 * FAULT_FLAG_WRITE (FOLL_WRITE, or every COW mapping under gup_cow=break: 17839856fd58, the 5.8
 * CVE-2020-29374 fix) or FAULT_FLAG_UNSHARE (an R/O pin of a page not known exclusive, 5.19+),
 * and looks again. A pin adds GUP_PIN_COUNTING_BIAS to the folio's refcount, a get adds one; the
 * process records each reference (mm/gup_refs.ts) so its DMA rows and its unpin find them.
 * Releasing the last reference of a folio whose mapping is gone frees it.
 *
 * Faults taken by GUP are not counted in `faults` (perf's page-faults event, which recorded traces
 * come from, does not see them either: no user regs); they are counted as `gup_faults`.
 */
import type { Kernel, Thread } from '../kernel.js';
import { GUP_PIN_COUNTING_BIAS } from '../mm/folio.js';
import type { Mm, Vma } from '../mm/mm_types.js';
import { PTE_PRESENT, pteIndex } from '../mm/pagetable.js';
import { FOLL_LONGTERM, FOLL_WRITE, PAGE_SIZE } from '../../ingest/schema.js';
import { InvariantError } from '../../util/errors.js';
import { forkInProgress, isCowMapping } from './copy_page_range.js';
import { pageRange } from './do_mmap.js';
import { canGrab, follow_page_pte, GRABBED, try_grab_folio, UNSHARE, type Foll, type FollowState } from './follow_page_pte.js';
import { handle_mm_fault } from './handle_mm_fault.js';
import type { OpArgs } from './op_args.js';
import { FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_TRIED, FAULT_FLAG_UNSHARE, FAULT_FLAG_WRITE, VM_FAULT_COMPLETED, VM_FAULT_RETRY, VM_FAULT_SIGSEGV, VmFault } from './vm_fault.js';
import type { Path } from '../engine/task.js';

/** Look-ups of one page after which the emulator declares a livelock (a bug). */
const MAX_FOLLOW = 1000;

/** should_force_cow_break() (5.8): is_cow_mapping && (FOLL_GET | FOLL_PIN), under gup_cow=break. */
function forceCowBreak(k: Kernel, vma: Vma): boolean {
  return k.policy.gup_cow.breakCow && isCowMapping(vma);
}

/**
 * GUP-fast (gup_fast_pte_range): lockless, interrupts off. Takes pages from `vpn` on while each
 * is present and usable as it is; returns the first page it could not take. A pin backs off while
 * a fork write-protects the mm (mm->write_protect_seq). The 5.8 COW break made it look for
 * writable PTEs only (gup_flags | FOLL_WRITE). The zero page's PTE is special: slow path.
 */
function gup_fast(k: Kernel, mm: Mm, vpn: number, last: number, foll: Foll): number {
  // 5.11+ (57efa1fe5957): a FOLL_PIN GUP-fast backs off while fork write-protects the mm.
  if (foll.pin && k.policy.era.gupFastForkSeqcount && forkInProgress(mm)) return vpn;
  for (; vpn < last; vpn++) {
    const t = mm.pt.lookup(vpn);
    const i = pteIndex(vpn);
    if (t === undefined || t.kind[i] !== PTE_PRESENT) break;
    const folio = t.folioAt(i)!;
    if (folio === k.zeroFolio) break;
    // The VMA is looked up for the reference record only (GUP-fast has none).
    const vma = mm.findVma(vpn * PAGE_SIZE);
    if (vma === null) break;
    const st: FollowState = { needWrite: foll.write || k.policy.gup_cow.breakCow, brokeCow: false, unshared: false };
    if (canGrab(k, vma, foll, st, t.bits[i]!, folio) !== GRABBED) break;
    try_grab_folio(k, mm, vma, vpn, foll, folio);
  }
  return vpn;
}

/**
 * __get_user_pages(): the slow path over [vpn, last), mmap_lock held for read on entry and on
 * return (faultin_page may drop and retake it). Returns the first page not taken (check_vma_flags
 * failure: -EFAULT for the rest).
 */
function* __get_user_pages(k: Kernel, task: Thread, mm: Mm, vpn: number, last: number, foll: Foll): Path<number> {
  let tried = 0;
  while (vpn < last) {
    // if (fatal_signal_pending(current)) { ret = -EINTR; goto out; }
    if (task.oomKilled) {
      k.stats.count('accesses_killed');
      return vpn;
    }
    const addr = vpn * PAGE_SIZE;
    const vma = mm.findVma(addr);
    // check_vma_flags(): no VMA, or a write to a read-only one.
    if (vma === null || (foll.write && !vma.isWritable())) {
      k.stats.count('gup_efault');
      return vpn;
    }
    const st: FollowState = { needWrite: foll.write || forceCowBreak(k, vma), brokeCow: false, unshared: false };
    let follows = 0;
    let relocked = false;
    for (;;) {
      const r = yield* follow_page_pte(k, task, vma, vpn, foll, st);
      if (r === GRABBED) break;
      if (task.oomKilled) {
        k.stats.count('accesses_killed');
        return vpn;
      }
      if (++follows > MAX_FOLLOW) throw new InvariantError(`GUP at 0x${addr.toString(16)} looked up ${MAX_FOLLOW} times`, `task ${task.tid}`);
      // faultin_page(): FAULT_FLAG_UNSHARE and FAULT_FLAG_WRITE are exclusive.
      const unshare = r === UNSHARE;
      let flags = unshare ? FAULT_FLAG_UNSHARE : st.needWrite ? FAULT_FLAG_WRITE : 0;
      if (k.policy.fault_lock.allowRetry) flags |= FAULT_FLAG_ALLOW_RETRY | tried;
      k.stats.count('gup_faults');
      const ret = yield* handle_mm_fault(new VmFault(k, task, mm, vma, addr, flags));
      if ((ret & (VM_FAULT_RETRY | VM_FAULT_COMPLETED)) !== 0) {
        // The fault dropped mmap_lock: take it again and redo this page (FOLL_TRIED).
        tried = FAULT_FLAG_TRIED;
        yield mm.mmapLock.read;
        relocked = true;
        break;
      }
      if ((ret & VM_FAULT_SIGSEGV) !== 0) {
        k.stats.count('gup_efault');
        return vpn;
      }
      if (unshare) st.unshared = true;
      // faultin_page(): VM_FAULT_WRITE in a VMA without VM_WRITE sets FOLL_COW (the COW is broken
      // but the PTE stays read-only); a writable VMA loops until the PTE is writable.
      else if (st.needWrite && !vma.isWritable()) st.brokeCow = true;
    }
    if (relocked) continue;
    tried = 0;
    vpn++;
  }
  return vpn;
}

/** pin_user_pages_fast() / get_user_pages_fast() over the op's range. */
export function* gup_range(k: Kernel, task: Thread, a: OpArgs, pin: boolean): Path<void> {
  const mm = task.mm;
  const [start, end] = pageRange(a.addr, a.len);
  const foll: Foll = { pin, write: (a.arg & FOLL_WRITE) !== 0, longterm: pin && (a.arg & FOLL_LONGTERM) !== 0 };
  yield k.costs.syscall;
  // mm_set_has_pinned_flag(): on every pin call, before any page is taken.
  if (pin) mm.hasPinned = true;
  const first = start / PAGE_SIZE;
  const last = end / PAGE_SIZE;
  const vpn = gup_fast(k, mm, first, last, foll);
  if (vpn > first) yield (vpn - first) * k.costs.gup_page;
  if (vpn < last) {
    // __gup_longterm_locked(): the slow path under mmap_lock for read.
    yield mm.mmapLock.read;
    yield* __get_user_pages(k, task, mm, vpn, last, foll);
    mm.mmapLock.unlock(task);
  }
  task.path = pin ? 'pin' : 'gup';
}

/** unpin_user_pages() / put_page() over the op's range: drop this process's references. */
export function* release_range(k: Kernel, task: Thread, a: OpArgs, pin: boolean): Path<void> {
  const refs = k.gupRefs.of(task.mm);
  const [start, end] = pageRange(a.addr, a.len);
  yield k.costs.syscall;
  let n = 0;
  for (let vpn = start / PAGE_SIZE; vpn < end / PAGE_SIZE; vpn++) {
    const ref = refs.take(vpn, pin);
    if (ref === undefined) {
      k.stats.count('unpin_without_pin');
      continue;
    }
    n++;
    const f = ref.folio;
    if (f === k.zeroFolio) continue;
    if (pin) f.pinCount--;
    else f.gupCount--;
    // gup_put_folio(): folio_put_refs(folio, GUP_PIN_COUNTING_BIAS) for a pin, folio_put for a get.
    if (f.put(pin ? GUP_PIN_COUNTING_BIAS : 1, pin ? 'unpin_user_page' : 'put_page')) {
      k.pages.free(f);
      k.stats.count('gup_released_last_ref');
    }
  }
  if (n > 0) yield n * k.costs.gup_page;
  task.path = pin ? 'unpin' : 'gup_put';
}
