/**
 * mmap and munmap (mm/mmap.c, mm/vma.c): do_mmap() with MAP_FIXED semantics and
 * do_vmi_munmap(), both under mmap_lock for write. Every VMA they change is write-locked first
 * (vma_start_write), so per-VMA-locked faults on it fail their trylock and fall back to mmap_lock,
 * where they queue behind this writer.
 */
import type { Kernel, Thread } from '../kernel.js';
import { type Mm, VM_FILE, VM_READ, VM_SHARED, VM_WRITE } from '../mm/mm_types.js';
import { MMAP_FILE, MMAP_FILE_ID_SHIFT, MMAP_RDONLY, MMAP_SHARED, PAGE_SIZE } from '../../ingest/schema.js';
import { mmap_write_lock, mmap_write_unlock, vma_start_write } from './mmap_lock.js';
import type { OpArgs } from './op_args.js';
import { split_vma } from './vma_split.js';
import { zap_pte_range } from './zap_pte_range.js';
import type { Path } from '../engine/task.js';

/** Page-align a range outward: [floor(start), ceil(start+len)). */
export function pageRange(addr: number, len: number): [number, number] {
  const start = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
  const end = Math.ceil((addr + Math.max(len, 1)) / PAGE_SIZE) * PAGE_SIZE;
  return [start, end];
}


/** mmap_region(): create the VMA (mmap_lock held for write). */
export function* mmap_region(k: Kernel, task: Thread, mm: Mm, start: number, end: number, arg: number): Path<void> {
  yield* unmap_range(k, task, mm, start, end);
  const shared = (arg & MMAP_SHARED) !== 0;
  const file = (arg & MMAP_FILE) !== 0 ? Math.floor(arg / 2 ** MMAP_FILE_ID_SHIFT) & 0xffffff : -1;
  const flags = VM_READ | ((arg & MMAP_RDONLY) !== 0 ? 0 : VM_WRITE) | (shared ? VM_SHARED : 0) | (file >= 0 ? VM_FILE : 0);
  // File mappings map the file from offset 0 in this model; anonymous VMAs use the page number.
  const pgoff = file >= 0 ? 0 : start / PAGE_SIZE;
  const vma = k.newVma(mm, start, end, pgoff, flags, file);
  if (file >= 0) vma.sharedObject = k.objectView(`file:${file}`);
  else if (shared) vma.sharedObject = k.objectView(`shm:${mm.pid}:${++k.shmObjects}`);
  mm.insertVma(vma);
  k.oracle.reset(mm.view, start / PAGE_SIZE, (end - start) / PAGE_SIZE);
  yield k.costs.vma_op;
}

/** do_vmi_munmap(): split at the edges, write-lock, detach and zap every VMA in [start, end). */
export function* unmap_range(k: Kernel, task: Thread, mm: Mm, start: number, end: number): Path<void> {
  for (const vma of mm.vmasIn(start, end)) {
    yield* vma_start_write(task, vma);
    let v = vma;
    if (v.vmStart < start) v = yield* split_vma(k, task, mm, v, start);
    if (v.vmEnd > end) yield* split_vma(k, task, mm, v, end);
    yield k.costs.vma_op;
    yield* zap_pte_range(k, task, v, v.vmStart, v.vmEnd);
    mm.removeVma(v);
    for (const av of v.anonChains) av.unlink(v);
  }
  k.oracle.reset(mm.view, start / PAGE_SIZE, (end - start) / PAGE_SIZE);
}

export function* sys_mmap(k: Kernel, task: Thread, a: OpArgs): Path<void> {
  const mm = task.mm;
  const [start, end] = pageRange(a.addr, a.len);
  yield k.costs.syscall;
  yield* mmap_write_lock(k, task, mm);
  yield* mmap_region(k, task, mm, start, end, a.arg);
  mmap_write_unlock(task, mm);
}

export function* sys_munmap(k: Kernel, task: Thread, a: OpArgs): Path<void> {
  const mm = task.mm;
  const [start, end] = pageRange(a.addr, a.len);
  yield k.costs.syscall;
  yield* mmap_write_lock(k, task, mm);
  yield* unmap_range(k, task, mm, start, end);
  mmap_write_unlock(task, mm);
}
