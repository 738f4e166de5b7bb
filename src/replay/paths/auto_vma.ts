/**
 * --auto-vma: recorded traces do not say where the mappings are, so an access outside every VMA
 * creates an anonymous read-write VMA over the surrounding 2 MiB (clipped to its neighbours),
 * as an mmap the recording missed would have, through the normal mmap path.
 */
import type { Kernel, Thread } from '../kernel.js';
import { mmap_region } from './do_mmap.js';
import { mmap_write_lock, mmap_write_unlock } from './mmap_lock.js';
import type { Path } from '../engine/task.js';

const SPAN = 2 * 1024 * 1024;

export function* auto_vma(k: Kernel, task: Thread, addr: number): Path<void> {
  const mm = task.mm;
  yield* mmap_write_lock(k, task, mm);
  if (mm.findVma(addr) === null) {
    let start = Math.floor(addr / SPAN) * SPAN;
    let end = start + SPAN;
    const i = mm.firstIndexFrom(start);
    const prev = i > 0 ? mm.vmas[i - 1] : undefined;
    if (prev !== undefined && prev.vmEnd > start) start = prev.vmEnd;
    for (const v of mm.vmasIn(start, end)) {
      if (v.vmStart > addr) end = Math.min(end, v.vmStart);
      else start = Math.max(start, v.vmEnd);
    }
    yield* mmap_region(k, task, mm, start, end, 0);
    k.stats.count('auto_vma_created');
  }
  mmap_write_unlock(task, mm);
}
