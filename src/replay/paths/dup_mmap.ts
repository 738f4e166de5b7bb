/**
 * fork() (kernel/fork.c: kernel_clone -> copy_process -> copy_mm -> dup_mm -> dup_mmap): the
 * `fork` op, `arg` = the child's pid. Under the parent's mmap_lock for write (and the new mm's,
 * nested), every VMA except VM_DONTCOPY ones is duplicated: the child's VMA joins the parent's
 * anon_vma chains and gets its own anon_vma in the same tree (anon_vma_fork), then its page
 * tables are copied (copy_page_range.ts). The parent's TLB is flushed once at the end, since its
 * PTEs were write-protected (flush_tlb_mm(oldmm)). The child's threads start when fork returns.
 *
 * Integrity oracle: the child's view is a snapshot of the parent's taken when the copy is
 * complete, still under the parent's mmap_lock. Writes by other parent threads to PTEs not yet
 * write-protected land in pages the child shares, and are in the snapshot; writes to PTEs
 * already write-protected fault and wait for mmap_lock, after the snapshot.
 */
import type { Kernel, Thread } from '../kernel.js';
import { type AnonVma, type Mm, VM_DONTCOPY, type Vma } from '../mm/mm_types.js';

import { copy_page_range } from './copy_page_range.js';
import { mmap_write_lock, mmap_write_unlock, vma_start_write } from './mmap_lock.js';
import type { OpArgs } from './op_args.js';
import type { Path } from '../engine/task.js';

/**
 * anon_vma_fork() (mm/rmap.c): anon_vma_clone() links the child's VMA to every anon_vma the
 * parent's is on, so rmap walks of shared pages find the child; then the child gets its own
 * anon_vma, rooted at the parent's root, for the pages it will COW. Each link is made under that
 * anon_vma's lock: the tree's root lock since 2.6.35 (lock_anon_vma_root), the anon_vma's own
 * spinlock in 2.6.34 (anon_vma_chain_link).
 */
export function* anon_vma_fork(k: Kernel, task: Thread, vma: Vma, pvma: Vma): Path<void> {
  if (pvma.anonVma === null) return;
  for (const av of pvma.anonChains) yield* anon_vma_chain_link(k, task, vma, av);
  const av = k.newAnonVma(pvma.anonVma.root);
  vma.anonVma = av;
  yield* anon_vma_chain_link(k, task, vma, av);
}

/** anon_vma_chain_link(): put `vma` on `av`'s chain under the lock rmap walks of `av` take. */
function* anon_vma_chain_link(k: Kernel, task: Thread, vma: Vma, av: AnonVma): Path<void> {
  const lock = k.policy.rmap_lock.lockRoot ? av.root.lock : av.lock;
  yield lock.write;
  vma.anonChains.push(av);
  av.link(vma);
  yield k.costs.vma_op;
  lock.unlock(task);
}

/** dup_mmap(): duplicate `oldmm`'s VMAs and page tables into the new `mm`. */
export function* dup_mmap(k: Kernel, task: Thread, oldmm: Mm, mm: Mm): Path<void> {
  // mmap_write_lock_killable(oldmm), then mmap_write_lock_nested(mm): the new mm is uncontended.
  yield* mmap_write_lock(k, task, oldmm);
  yield* mmap_write_lock(k, task, mm);
  for (const mpnt of [...oldmm.vmas]) {
    if ((mpnt.flags & VM_DONTCOPY) !== 0) continue;
    // vma_start_write(mpnt) (6.4+, fork: lock VMAs of the parent process when forking):
    // VMA-locked faults on the parent wait for the fork to end.
    yield* vma_start_write(task, mpnt);
    // vm_area_dup()
    const tmp = k.newVma(mm, mpnt.vmStart, mpnt.vmEnd, mpnt.vmPgoff, mpnt.flags, mpnt.file);
    tmp.sharedObject = mpnt.sharedObject;
    yield* anon_vma_fork(k, task, tmp, mpnt);
    mm.insertVma(tmp);
    yield k.costs.vma_op;
    yield* copy_page_range(k, task, tmp, mpnt);
  }
  // The child's memory as it was when the copy completed (see the header).
  mm.view = k.oracle.forkView(oldmm.view);
  mmap_write_unlock(task, mm);
  // flush_tlb_mm(oldmm): its PTEs were write-protected.
  yield k.flushTlb(task, oldmm);
  mmap_write_unlock(task, oldmm);
}

/** The `fork` op. */
export function* sys_fork(k: Kernel, task: Thread, a: OpArgs): Path<void> {
  const childPid = a.arg;
  yield k.costs.syscall;
  // copy_process(), dup_mm(): task and mm_struct set-up (MMF_HAS_PINNED is not inherited).
  yield k.costs.fork_base;
  const child = k.newMm(childPid, 0);
  yield* dup_mmap(k, task, task.mm, child);
  // wake_up_new_task(): the child's threads (replay.ts parked them) start now.
  k.startProcess(childPid, k.now);
}
