/**
 * do_fault() (mm/memory.c): a none PTE in a file-backed or shared VMA -> do_read_fault,
 * do_cow_fault or do_shared_fault via filemap_fault. Placeholder until the page-cache paths land:
 * it maps a fresh folio as an anonymous fault would, labelled `file`.
 */
import { PTE_DIRTY, PTE_NONE, PTE_PRESENT, PTE_WRITE, pteIndex } from '../mm/pagetable.js';
import { VM_FAULT_OK, type Path, type VmFault } from './vm_fault.js';

export function* do_fault(vmf: VmFault): Path {
  const { k, task, mm, vma } = vmf;
  const t = mm.pt.ensure(vmf.vpn);
  const i = pteIndex(vmf.vpn);
  const folio = k.allocFolioFor(task);
  yield k.costs.folio_alloc + k.costs.page_zero;
  yield t.ptl.lock;
  if (t.kind[i] === PTE_NONE) {
    folio.index = vmf.index;
    folio.mapDelta(1, 'do_fault');
    k.lruAdd(folio);
    t.set(i, PTE_PRESENT, vmf.write && vma.isWritable() ? PTE_WRITE | PTE_DIRTY : 0, folio, 0);
  } else k.putFolio(folio, 'do_fault lost race');
  t.ptl.unlock(task);
  task.path = 'file';
  return VM_FAULT_OK;
}
