/**
 * do_exit() -> exit_mm() -> exit_mmap() (kernel/exit.c, mm/mmap.c): the thread ends; the last
 * thread of a process tears its address space down: every VMA unmapped and zapped. Pinned
 * folios survive in their pinner's hands (the driver releases pins, not the mm).
 */
import type { Kernel, Thread } from '../kernel.js';

import { mmap_write_lock, mmap_write_unlock } from './mmap_lock.js';
import { zap_pte_range } from './zap_pte_range.js';
import type { Path } from '../engine/task.js';

export function* exit_mmap(k: Kernel, task: Thread): Path<void> {
  const mm = task.mm;
  yield k.costs.exit_base;
  yield* mmap_write_lock(k, task, mm);
  for (const vma of [...mm.vmas]) {
    yield* zap_pte_range(k, task, vma, vma.vmStart, vma.vmEnd);
    mm.removeVma(vma);
    for (const av of vma.anonChains) av.unlink(vma);
  }
  mm.dead = true;
  mmap_write_unlock(task, mm);
}

export function* do_exit(k: Kernel, task: Thread): Path<void> {
  task.exited = true;
  const mm = task.mm;
  if (--mm.users === 0) yield* exit_mmap(k, task);
}
