/**
 * change_protection() -> change_pte_range() (mm/mprotect.c): apply a VMA's new protection to its
 * PTEs over [start, end), one PTE table at a time under its PTL, then flush_tlb_range() if any
 * PTE changed (other CPUs may cache the old, writable translation).
 *
 * - Write permission removed: present PTEs lose their write bit; a writable migration entry
 *   becomes a readable one (make_readable_migration_entry), so remove_migration_ptes() restores
 *   it read-only.
 * - Write permission added: a PTE is made writable at once only where can_change_pte_writable()
 *   allows it (6.0+, MM_CP_TRY_CHANGE_WRITABLE: a private anonymous page that is
 *   PageAnonExclusive); everything else stays read-only and the next write faults (do_wp_page
 *   decides reuse or copy), as in every release before.
 * - Read permission removed (PROT_NONE): present PTEs become pte_protnone() (PTE_PROTNONE), so
 *   every access faults and do_user_addr_fault's access_error() turns it into a SIGSEGV; read
 *   permission back clears the bit.
 */
import type { Kernel, Thread } from '../kernel.js';
import { PG_ANON_EXCLUSIVE, type Folio } from '../mm/folio.js';
import { VM_READ, VM_WRITE, type Vma } from '../mm/mm_types.js';
import { PTE_MIG_WRITE, PTE_MIGRATION, PTE_PRESENT, PTE_PROTNONE, PTE_WRITE, pteIndex, pteTableRanges } from '../mm/pagetable.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import type { Path } from '../engine/task.js';

/** can_change_pte_writable() for private anonymous memory. */
function can_change_pte_writable(k: Kernel, vma: Vma, folio: Folio): boolean {
  return k.policy.wp_reuse.tracksAnonExclusive && vma.isAnon() && folio !== k.zeroFolio && folio.anonVma !== null && folio.has(PG_ANON_EXCLUSIVE);
}

/** Returns the number of PTEs changed. */
export function* change_protection(k: Kernel, task: Thread, vma: Vma, start: number, end: number, newflags: number): Path<number> {
  const mm = vma.mm;
  const writable = (newflags & VM_WRITE) !== 0;
  const readable = (newflags & VM_READ) !== 0;
  let pages = 0;
  for (const [t, first, tableEnd] of pteTableRanges(mm.pt, Math.floor(start / PAGE_SIZE), Math.ceil(end / PAGE_SIZE))) {
    yield t.ptl.lock;
    let n = 0;
    for (let vpn = first; vpn < tableEnd; vpn++) {
      const i = pteIndex(vpn);
      const kind = t.kind[i]!;
      const bits = t.bits[i]!;
      if (kind === PTE_PRESENT) {
        let nb = bits;
        if (readable) nb &= ~PTE_PROTNONE;
        else nb |= PTE_PROTNONE;
        if (!writable) nb &= ~PTE_WRITE;
        else if ((nb & PTE_WRITE) === 0 && can_change_pte_writable(k, vma, t.folioAt(i)!)) nb |= PTE_WRITE;
        if (nb === bits) continue;
        t.bits[i] = nb;
        n++;
      } else if (kind === PTE_MIGRATION && !writable && (bits & PTE_MIG_WRITE) !== 0) {
        t.bits[i] = bits & ~PTE_MIG_WRITE;
        n++;
      }
    }
    t.ptl.unlock(task);
    pages += n;
    // The loop body per PTE scanned.
    yield (tableEnd - first) * k.costs.pte_op;
  }
  // flush_tlb_range(): only when something changed.
  if (pages > 0) yield k.flushTlb(task, mm);
  return pages;
}
