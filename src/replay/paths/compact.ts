/**
 * The `compact` op: the row's pages migrated as memory compaction does (mm/compaction.c:
 * kcompactd or a write to /proc/sys/vm/compact_memory -> compact_zone ->
 * isolate_migratepages_block -> migrate_pages), to another frame of the SAME node, WITHOUT any
 * mmap_lock: compaction finds pages by physical frame number, not through an address space, so
 * nothing orders it against the owner's mmap_lock writers (mprotect, munmap). This is the
 * migrator that can race vma_adjust (docs/kernel-sources.md E; Mel Gorman's 2010 reproducer ran
 * compact_memory constantly).
 *
 * Isolation (isolate_migratepages_block): an LRU folio (anonymous, file, or shmem),
 * get_page_unless_zero() then off the LRU; batches of COMPACT_CLUSTER_MAX folios go to migrate_pages(). The range's PTEs
 * stand for the pfn scan: they are read without locks, as a scan of struct pages would be.
 */
import type { Kernel, Thread } from '../kernel.js';
import type { Folio } from '../mm/folio.js';
import { PTE_PRESENT, pteIndex } from '../mm/pagetable.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import { pageRange } from './do_mmap.js';
import { folio_isolate_for_migration, migrate_pages } from './migrate_pages.js';
import type { OpArgs } from './op_args.js';
import type { Path } from '../engine/task.js';

/** COMPACT_CLUSTER_MAX (SWAP_CLUSTER_MAX): folios isolated per migrate_pages() call. */
export const COMPACT_CLUSTER_MAX = 32;

/** isolate_migratepages_block() for one pfn: the folio isolated with a reference, or null. */
function isolate_migratepage(k: Kernel, folio: Folio | null): Folio | null {
  if (folio === null || folio === k.zeroFolio) return null;
  if (folio.anonVma === null && folio.file < 0) return null;
  // get_page_unless_zero(), folio_isolate_lru(): not when another migrator or reclaim has it.
  return folio_isolate_for_migration(k, folio, 'isolate_migratepages_block') ? folio : null;
}

export function* compact_memory(k: Kernel, task: Thread, a: OpArgs): Path<void> {
  const mm = task.mm;
  const [start, end] = pageRange(a.addr, a.len);
  let batch: Folio[] = [];
  for (let addr = start; addr < end; addr += PAGE_SIZE) {
    yield k.costs.pte_op;
    const vpn = Math.floor(addr / PAGE_SIZE);
    const t = mm.pt.lookup(vpn);
    const i = pteIndex(vpn);
    const folio = isolate_migratepage(k, t !== undefined && t.kind[i] === PTE_PRESENT ? t.folioAt(i)! : null);
    if (folio !== null) batch.push(folio);
    if (batch.length === COMPACT_CLUSTER_MAX) {
      yield* migrate_pages(k, task, batch, (f) => f.node);
      batch = [];
    }
  }
  // compaction_alloc() hands out free frames of the zone being compacted: the same node.
  if (batch.length > 0) yield* migrate_pages(k, task, batch, (f) => f.node);
}
