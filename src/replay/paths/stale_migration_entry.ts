/**
 * Stale migration entries (docs/kernel-sources.md E): a migration entry left in a page table after its
 * migration ended, because remove_migration_ptes()' rmap walk skipped or mis-addressed the VMA
 * (a walk racing vma_adjust's stores). The folio it names has been unlocked and usually freed;
 * the next fault there calls migration_entry_to_page() (pfn_swap_entry_folio() today), whose
 * `BUG_ON(!PageLocked(p))` fires: "Any use of migration entries may only occur while the
 * corresponding page is locked" (include/linux/swapops.h). That is a kernel BUG finding here.
 *
 * The replay goes on: the entry is cleared (the oopsed task would have died holding nothing),
 * and the page's expected content is forgotten so the consequence is not counted again as a
 * lost write. At the end of the run every page table is scanned for entries nobody faulted on.
 */
import type { Kernel, Thread } from '../kernel.js';
import type { Folio } from '../mm/folio.js';
import type { Mm } from '../mm/mm_types.js';
import { PTE_MIGRATION, PTRS_PER_PTE, type PteTable } from '../mm/pagetable.js';
import { PAGE_SIZE } from '../../ingest/schema.js';

/** Kernel-BUG findings kept per replay for stale entries (the count goes on in the summary). */
const MAX_FINDINGS = 20;

/** migration_entry_to_page()'s BUG_ON: the entry's folio is not locked by a migrator any more. */
export function isStaleMigrationEntry(folio: Folio): boolean {
  return folio.freed || !folio.locked;
}

function describe(mm: Mm, addr: number, f: Folio): string {
  return `pid ${mm.pid} address 0x${addr.toString(16)}: migration entry for folio ${f.id}, which is ${f.freed ? 'freed' : 'not locked'}`;
}

/** Count one stale entry at (t, i) of `mm`, found by `task` (null: the end-of-run scan). */
function record(k: Kernel, task: Thread | null, mm: Mm, addr: number): void {
  k.stats.summary.stale_migration_entries++;
  k.stats.integrityFinding('stale_migration_entry', task?.tid ?? -1, addr, k.now);
  // The process would have been killed by the oops: forget the page's content expectations.
  k.oracle.reset(mm.view, Math.floor(addr / PAGE_SIZE), 1);
}

/**
 * A fault (or another PTE walker) found a stale migration entry at index `i` of `t`: report the
 * kernel BUG with its details and clear the entry. Caller holds the PTL.
 */
export function stale_migration_entry(k: Kernel, task: Thread, mm: Mm, t: PteTable, i: number, addr: number, where: string): void {
  const f = t.folioAt(i)!;
  record(k, task, mm, addr);
  if (k.stats.summary.stale_migration_entries <= MAX_FINDINGS) {
    k.kernelBug(`kernel BUG in migration_entry_to_page(): stale migration entry found by ${where} (task ${task.pid}/${task.tid})`, [
      describe(mm, addr, f),
      ...f.recentHistory().map((h) => `folio ${f.id}: ${h}`),
    ]);
  }
  k.timeline?.instant(task.tid, 'kernel-bug', k.now, { kind: 'stale_migration_entry', addr: `0x${addr.toString(16)}` });
  t.clear(i);
}

/** End of run: every migration entry still in a page table is stale (no migration runs now). */
export function scan_stale_migration_entries(k: Kernel): void {
  const found: string[] = [];
  for (const mm of k.mms.values()) {
    for (const [no, t] of mm.pt.tables) {
      if (t.used === 0) continue;
      for (let i = 0; i < PTRS_PER_PTE; i++) {
        if (t.kind[i] !== PTE_MIGRATION || !isStaleMigrationEntry(t.folioAt(i)!)) continue;
        const addr = (no * PTRS_PER_PTE + i) * PAGE_SIZE;
        record(k, null, mm, addr);
        if (found.length < MAX_FINDINGS) found.push(describe(mm, addr, t.folioAt(i)!));
      }
    }
  }
  if (found.length > 0) {
    k.kernelBug('stale migration entries left in page tables at the end of the run (the next fault or zap there BUGs in migration_entry_to_page())', found);
  }
}
