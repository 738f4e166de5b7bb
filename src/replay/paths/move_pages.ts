/**
 * The `migrate` op: move_pages(2) of the range to node `arg` (mm/migrate.c: kernel_move_pages ->
 * do_pages_move -> add_page_for_migration -> do_move_pages_to_node -> migrate_pages, mode
 * MIGRATE_SYNC, MPOL_MF_MOVE_ALL as the selftest passes it).
 *
 * Per page (anonymous, file or shmem): vma_lookup() + vma_migratable(), follow_page(FOLL_GET | FOLL_DUMP) (no page, the zero
 * page, or a non-present PTE: -ENOENT, counted `migrate_not_present`), already on the target
 * node: 0, a no-op (`migrate_same_node`); isolate_lru_page() (not on the LRU because another
 * migrator isolated it: -EBUSY, `migrate_busy`), put_page() of the FOLL_GET reference: the
 * isolation reference stays. Then migrate_pages() on the list.
 *
 * Who holds mmap_lock (docs/kernel-sources.md B): before 4.17's do_pages_move() rework, do_move_page_to_node_array
 * held mmap_lock for read across the lookup AND the migration; since, add_page_for_migration()
 * takes it per page for the lookup only and migrate_pages() runs without it. That is not a
 * policy axis: the emulation derives it from the release of the policy's preset (`Policy.preset`:
 * `linux-2.6.34-rc` holds it across, `linux-5.8` and later for the lookup only), so an override
 * such as `linux-6.12+migration_wait=pageref-hold` keeps 6.12's lock scope.
 */
import type { Kernel, Thread } from '../kernel.js';
import type { Folio } from '../mm/folio.js';
import { PTE_PRESENT, pteIndex } from '../mm/pagetable.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import { InputError } from '../../util/errors.js';
import { pageRange } from './do_mmap.js';
import { folio_isolate_for_migration, migrate_pages } from './migrate_pages.js';
import type { OpArgs } from './op_args.js';
import type { Path } from '../engine/task.js';

/**
 * add_page_for_migration() for the page at `addr`: the folio, isolated with one reference, or
 * null (the reason counted).
 */
function add_page_for_migration(k: Kernel, task: Thread, addr: number, node: number): Folio | null {
  const mm = task.mm;
  // vma_lookup() + vma_migratable().
  if (mm.findVma(addr) === null) {
    k.stats.count('migrate_not_present');
    return null;
  }
  const vpn = Math.floor(addr / PAGE_SIZE);
  const t = mm.pt.lookup(vpn);
  const i = pteIndex(vpn);
  const folio = t !== undefined && t.kind[i] === PTE_PRESENT ? t.folioAt(i)! : null;
  // follow_page(FOLL_GET | FOLL_DUMP): nothing mapped, or the zero page.
  if (folio === null || folio === k.zeroFolio) {
    k.stats.count('migrate_not_present');
    return null;
  }
  // Anonymous folios, and page-cache ones (file, shmem) through rmap_walk_file.
  if (folio.anonVma === null && folio.file < 0) {
    k.stats.count('migrate_not_anon');
    return null;
  }
  if (folio.node === node) {
    k.stats.count('migrate_same_node');
    return null;
  }
  // isolate_lru_page(): fails when someone else isolated it.
  if (!folio_isolate_for_migration(k, folio, 'isolate_lru_page')) {
    k.stats.count('migrate_busy');
    return null;
  }
  return folio;
}

/** The `migrate` op. */
export function* sys_move_pages(k: Kernel, task: Thread, a: OpArgs): Path<void> {
  const node = a.arg;
  if (!Number.isInteger(node) || node < 0 || node >= k.machine.nodes) {
    throw new InputError({
      code: 'bad-node', stage: 'replay', row: a.row, text: String(node),
      expected: `a target node from 0 to ${k.machine.nodes - 1} in the migrate row's arg (the machine has --nodes ${k.machine.nodes})`,
    });
  }
  const mm = task.mm;
  const [start, end] = pageRange(a.addr, a.len);
  // Before 4.17 (the era's movePagesMmapLockAcross) mmap_lock is held across the migration.
  const across = k.policy.era.movePagesMmapLockAcross;
  yield k.costs.syscall;
  const list: Folio[] = [];
  if (across) yield mm.mmapLock.read;
  for (let addr = start; addr < end; addr += PAGE_SIZE) {
    // 4.17+: mmap_read_lock() around each page's lookup only.
    if (!across) yield mm.mmapLock.read;
    yield k.costs.gup_page;
    const folio = add_page_for_migration(k, task, addr, node);
    if (folio !== null) list.push(folio);
    if (!across) mm.mmapLock.unlock(task);
  }
  // do_move_pages_to_node(): migrate_pages(MIGRATE_SYNC, MR_SYSCALL).
  if (list.length > 0) yield* migrate_pages(k, task, list, () => node);
  if (across) mm.mmapLock.unlock(task);
}
