/**
 * madvise(MADV_PAGEOUT) (mm/madvise.c, 5.4+): the `swapout` op. Under mmap_lock for read, walk
 * the range's PTEs (madvise_cold_or_pageout_pte_range, under each PTE table's PTL), isolate the
 * folios mapped only here (an anonymous folio mapped by more than this PTE is left alone: "do
 * not interfere with other mappings"), then, with the PTL dropped, reclaim_pages() them through
 * shrink_folio_list(): anonymous pages go to swap now, clean file pages are dropped.
 */
import type { Kernel, Thread } from '../kernel.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import type { Folio } from '../mm/folio.js';
import { PTE_PRESENT, pteIndex, pteTableRanges } from '../mm/pagetable.js';
import { pageRange } from './do_mmap.js';
import type { OpArgs } from './op_args.js';
import { folio_isolate_lru, shrink_folio_list } from './shrink_folio_list.js';
import type { Path } from '../engine/task.js';

export function* madvise_pageout(k: Kernel, task: Thread, a: OpArgs): Path<void> {
  const mm = task.mm;
  const [start, end] = pageRange(a.addr, a.len);
  yield k.costs.syscall;
  yield mm.mmapLock.read;
  let isolated = 0;
  for (const vma of mm.vmasIn(start, end)) {
    const first = Math.max(start, vma.vmStart) / PAGE_SIZE;
    const last = Math.min(end, vma.vmEnd) / PAGE_SIZE;
    for (const [t, from, tableEnd] of pteTableRanges(mm.pt, first, last)) {
      const list: Folio[] = [];
      yield t.ptl.lock;
      let n = 0;
      for (let vpn = from; vpn < tableEnd; vpn++) {
        const i = pteIndex(vpn);
        if (t.kind[i] !== PTE_PRESENT) continue;
        n++;
        const f = t.folioAt(i)!;
        if (f === k.zeroFolio || f.mapcount !== 1) continue;
        if (folio_isolate_lru(k, f)) list.push(f);
      }
      t.ptl.unlock(task);
      yield n * k.costs.pte_op;
      // reclaim_pages() after each PTE table's batch.
      if (list.length > 0) {
        isolated += list.length;
        yield* shrink_folio_list(k, task, list, true);
      }
    }
  }
  mm.mmapLock.unlock(task);
  k.stats.count('pageout_isolated', isolated);
}
