/**
 * The `mprotect` op: do_mprotect_pkey() -> mprotect_fixup() (mm/mprotect.c), under mmap_lock
 * for write. For each VMA the range touches: the new vm_flags (prot 0 none, 1 read, 3
 * read-write); if they differ, vma_merge() with a same-flags neighbour (moving the boundary
 * between two adjacent anonymous VMAs through vma_adjust, store by store), else split_vma() at
 * the range's edges; then vm_flags_reset() and change_protection() on the PTEs with a TLB flush.
 * Every VMA whose fields change is write-locked (vma_start_write) inside vma_adjust/split_vma,
 * so VMA-locked faults on it fall back to mmap_lock and queue behind this writer.
 *
 * A range with a hole (no VMA somewhere in it) stops there, as -ENOMEM does (`mprotect_enomem`).
 */
import type { Kernel, Thread } from '../kernel.js';
import { VM_READ, VM_WRITE, type Vma } from '../mm/mm_types.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import { change_protection } from './change_protection.js';
import { pageRange } from './do_mmap.js';
import { mmap_write_lock, mmap_write_unlock, vma_start_write } from './mmap_lock.js';
import type { OpArgs } from './op_args.js';
import { nextVma, prevVma } from './vma_adjust.js';
import { vma_merge } from './vma_merge.js';
import { split_vma } from './vma_split.js';
import type { Path } from '../engine/task.js';

/** calc_vm_prot_bits(): PROT_READ (1) -> VM_READ, PROT_WRITE (2) -> VM_WRITE. */
export function protFlags(prot: number): number {
  return ((prot & 1) !== 0 ? VM_READ : 0) | ((prot & 2) !== 0 ? VM_WRITE : 0);
}

/**
 * mprotect_fixup(): give [start, end) of `vma` the flags `newflags`; returns the VMA now covering
 * the range (*pprev for the next iteration).
 */
export function* mprotect_fixup(k: Kernel, task: Thread, vma: Vma, prev: Vma | null, start: number, end: number, newflags: number): Path<Vma> {
  const mm = vma.mm;
  if (newflags === vma.flags) return vma;
  // vma_merge(mm, *pprev, start, end, newflags, vma->anon_vma, vma->vm_file, pgoff, ...).
  const pgoff = vma.vmPgoff + (start - vma.vmStart) / PAGE_SIZE;
  const merged = yield* vma_merge(k, task, mm, prev, start, end, newflags, vma, pgoff);
  let v = vma;
  if (merged !== null) v = merged;
  else {
    if (start !== v.vmStart) v = yield* split_vma(k, task, mm, v, start);
    if (end !== v.vmEnd) yield* split_vma(k, task, mm, v, end);
  }
  // success: vm_flags_reset(vma, newflags), also after a merge (in cases 3 and 8 the VMA that
  // grew over its neighbour is the one that had the old flags).
  yield* vma_start_write(task, v);
  v.flags = newflags;
  yield k.costs.vma_op;
  // change_protection(): the PTEs follow.
  yield* change_protection(k, task, v, start, end, newflags);
  return v;
}

/** do_mprotect_pkey(). */
export function* do_mprotect_pkey(k: Kernel, task: Thread, a: OpArgs): Path<void> {
  const mm = task.mm;
  const [start, end] = pageRange(a.addr, a.len);
  const prot = protFlags(a.arg);
  yield k.costs.syscall;
  yield* mmap_write_lock(k, task, mm);
  let vma: Vma | null = mm.vmasIn(start, end)[0] ?? null;
  if (vma === null || vma.vmStart > start) {
    k.stats.count('mprotect_enomem');
    mmap_write_unlock(task, mm);
    return;
  }
  let prev = start > vma.vmStart ? vma : prevVma(mm, vma);
  for (let nstart = start; ; ) {
    const newflags = (vma.flags & ~(VM_READ | VM_WRITE)) | prot;
    const tmp = Math.min(vma.vmEnd, end);
    prev = yield* mprotect_fixup(k, task, vma, prev, nstart, tmp, newflags);
    nstart = tmp;
    // A merge may have carried prev past tmp (into a neighbour that had these flags already).
    if (nstart < prev.vmEnd) nstart = prev.vmEnd;
    if (nstart >= end) break;
    vma = nextVma(mm, prev);
    if (vma === null || vma.vmStart !== nstart) {
      k.stats.count('mprotect_enomem');
      break;
    }
  }
  mmap_write_unlock(task, mm);
}
