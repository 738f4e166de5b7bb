/**
 * handle_mm_fault() -> __handle_mm_fault() -> handle_pte_fault() (mm/memory.c): read the PTE
 * without the PTL and dispatch: none -> do_anonymous_page / do_fault; not present (swap or
 * migration entry) -> do_swap_page; present but write-protected on a write -> do_wp_page under
 * the PTL; otherwise a spurious fault (another thread fixed it) that only re-checks under the PTL.
 */
import { PTE_MIGRATION, PTE_NONE, PTE_PRESENT, PTE_SWAP, PTE_WRITE, pteIndex } from '../mm/pagetable.js';
import { do_anonymous_page } from './do_anonymous_page.js';
import { do_fault } from './do_fault.js';
import { do_swap_page } from './do_swap_page.js';
import { do_wp_page } from './do_wp_page.js';
import { FAULT_FLAG_UNSHARE, VM_FAULT_OK, type VmFault } from './vm_fault.js';
import type { Path } from '../engine/task.js';

export function* handle_mm_fault(vmf: VmFault): Path {
  const k = vmf.k;
  const walk = k.costs.fault_walk;
  if (!vmf.task.runAhead(walk)) yield walk;
  const tbl = vmf.mm.pt.lookup(vmf.vpn);
  const i = pteIndex(vmf.vpn);
  const kind = tbl === undefined ? PTE_NONE : tbl.kind[i]!;
  if (kind === PTE_NONE) {
    if (vmf.vma.isAnon()) return yield* do_anonymous_page(vmf);
    return (yield do_fault(vmf)) as number;
  }
  // handle_pte_fault(): every non-present PTE goes to do_swap_page(), which sends a migration
  // entry to migration_entry_wait() (after 6.4-6.5's early VM_FAULT_RETRY under the VMA lock).
  if (kind === PTE_MIGRATION || kind === PTE_SWAP) return (yield do_swap_page(vmf)) as number;
  // Present: take the PTL and re-check (pte_same) before deciding.
  const t = tbl!;
  yield t.ptl.lock;
  if (t.kind[i] !== PTE_PRESENT) {
    t.ptl.unlock(vmf.task);
    return VM_FAULT_OK;
  }
  // FAULT_FLAG_WRITE or FAULT_FLAG_UNSHARE (GUP R/O pin) on a write-protected PTE: do_wp_page.
  if ((vmf.write || (vmf.flags & FAULT_FLAG_UNSHARE) !== 0) && (t.bits[i]! & PTE_WRITE) === 0) return (yield do_wp_page(vmf, t, i)) as number;
  t.ptl.unlock(vmf.task);
  return VM_FAULT_OK;
}
