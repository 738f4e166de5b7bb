/**
 * do_anonymous_page() (mm/memory.c): a fault on a none PTE of an anonymous VMA. A read maps the
 * shared zero page read-only; a write allocates and zeroes a folio (on the faulting CPU's node),
 * takes the PTL, re-checks the PTE is still none, adds the rmap and maps it writable.
 */
import { PG_ANON_EXCLUSIVE } from '../mm/folio.js';
import { PTE_DIRTY, PTE_NONE, PTE_PRESENT, PTE_WRITE, pteIndex, PTE_YOUNG } from '../mm/pagetable.js';
import { vmf_anon_prepare } from './anon_vma_prepare.js';
import { VM_FAULT_OK, VM_FAULT_RETRY, type VmFault } from './vm_fault.js';
import type { Path } from '../engine/task.js';
import { try_to_free_pages } from './shrink_folio_list.js';

export function* do_anonymous_page(vmf: VmFault): Path {
  const { k, task, mm, vma } = vmf;
  const c = k.costs;
  const t = mm.pt.ensure(vmf.vpn);
  const i = pteIndex(vmf.vpn);
  if (!vmf.write) {
    // Use the zero page for reads (my_zero_pfn), mapped read-only.
    yield t.ptl.lock;
    if (t.kind[i] === PTE_NONE) t.set(i, PTE_PRESENT, PTE_YOUNG, k.zeroFolio, 0);
    t.ptl.unlock(task);
    yield c.map_zero_page;
    task.path = 'zero';
    return VM_FAULT_OK;
  }
  if (!vmf_anon_prepare(vmf)) return VM_FAULT_RETRY;
  // alloc_anon_folio(): allocate and clear. The new folio is a slot of the FolioStore, with no
  // object: nothing on this path needs one (PageAllocator.alloc).
  const s = k.pages.alloc(task.runningCpu.node);
  const alloc = c.folio_alloc + c.page_zero;
  if (!task.runAhead(alloc)) yield alloc;
  // The allocator's slow path: direct reclaim over --memory-limit.
  if (k.pages.overLimit()) yield* try_to_free_pages(k, task);
  yield t.ptl.lock;
  if (t.kind[i] !== PTE_NONE) {
    // Another thread mapped it first: release ours.
    t.ptl.unlock(task);
    k.pages.put(k.pages.folio(s), 'do_anonymous_page lost race');
    task.path = 'anon';
    return VM_FAULT_OK;
  }
  // folio_add_new_anon_rmap(): exclusive to this mm, mapped once; the allocation reference
  // becomes the mapping's reference. (Folio.anonVma and Folio.index on a new folio's slot.)
  const st = k.pages.store;
  st.setMapping(s, vma.anonVma);
  st.index[s] = vmf.index;
  st.mapDelta(s, 1, 'do_anonymous_page');
  st.flags[s] |= PG_ANON_EXCLUSIVE;
  k.pages.lru.add(s);
  // mk_pte(&folio->page, vma->vm_page_prot): young on x86 (_PAGE_ACCESSED in the protections).
  t.setSlot(i, PTE_YOUNG | (vma.isWritable() ? PTE_WRITE | PTE_DIRTY : 0), s);
  t.ptl.unlock(task);
  if (!task.runAhead(c.map_new_folio)) yield c.map_new_folio;
  task.path = 'anon';
  return VM_FAULT_OK;
}
