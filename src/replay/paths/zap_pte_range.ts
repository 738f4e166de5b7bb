/**
 * zap_pte_range() (mm/memory.c): clear the PTEs of [start, end) in one VMA, under each PTE
 * table's PTL, dropping mappings and references (the folio is freed with its last reference;
 * a pinned folio stays alive until unpinned), releasing swap entries; one TLB flush for the
 * range (tlb_finish_mmu). Migration entries are cleared too: the migrator holds its own
 * references and restores nothing there afterwards.
 */
import type { Kernel, Thread } from '../kernel.js';
import type { Vma } from '../mm/mm_types.js';
import { PTE_NONE, PTE_PRESENT, PTE_SWAP, pteIndex, pteTableRanges } from '../mm/pagetable.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import type { Path } from '../engine/task.js';

export function* zap_pte_range(k: Kernel, task: Thread, vma: Vma, start: number, end: number): Path<void> {
  const mm = vma.mm;
  const c = k.costs;
  let touched = 0;
  for (const [t, first, tableEnd] of pteTableRanges(mm.pt, Math.floor(start / PAGE_SIZE), Math.ceil(end / PAGE_SIZE))) {
    yield t.ptl.lock;
    let n = 0;
    for (let vpn = first; vpn < tableEnd; vpn++) {
      const i = pteIndex(vpn);
      const kind = t.kind[i]!;
      if (kind === PTE_NONE) continue;
      n++;
      if (kind === PTE_PRESENT) {
        const f = t.folioAt(i)!;
        t.clear(i);
        if (f !== k.zeroFolio) {
          f.mapDelta(-1, 'zap_pte_range');
          k.pages.put(f, 'zap_pte_range');
        }
      } else if (kind === PTE_SWAP) {
        const slot = t.swap[i]!;
        t.clear(i);
        k.swap.freeSwapAndCache(slot);
      } else t.clear(i);
    }
    t.ptl.unlock(task);
    touched += n;
    if (n > 0) yield n * c.pte_op;
  }
  if (touched > 0) yield k.flushTlb(task, mm);
}
