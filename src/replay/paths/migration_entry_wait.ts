/**
 * migration_entry_wait() (mm/migrate.c): a fault found a migration entry. Under the PTL it
 * re-checks the entry (pte_offset_map_lock, is_migration_entry), finds the folio
 * (migration_entry_to_page: BUG if the folio is not locked, i.e. the entry is stale), then waits
 * for the migrator to unlock the folio, and returns 0 so the access refaults and finds the new
 * (or restored) PTE. The fault lock (mmap_lock or the VMA lock) stays held across the sleep.
 *
 * What the waiter holds while it waits is the migration_wait variant's (docs/kernel-sources.md
 * B), its `wait` hook run over the steps below (Waiter):
 * - `hold` (__migration_entry_wait until 4.20): get_page_unless_zero() under the PTL, unlock the
 *   PTL, wait_on_page_locked() holding the reference (which loops: a waiter that wakes to find
 *   the folio locked again, by the migrator's next pass, sleeps again), then put_page();
 * - `window` (9a1ea439b16b, 5.0-5.16): the reference, the PTL unlock, then
 *   put_and_wait_on_page_locked(): enqueue on the folio wait queue, drop the reference, sleep;
 * - `none` (ffa65753c431, 5.17+, migration_entry_wait_on_locked): no reference; enqueue while
 *   holding the PTL, drop the PTL, sleep until woken.
 * A reference held while the migrator checks folio_expected_refs() fails that pass (-EAGAIN).
 * The waiter's references are tagged (folio.waitRefs) so refcount.csv names `migration-wait`.
 */
import { folioWaitLocked } from '../locks/folio_lock.js';
import { BLOCKED, type Block } from '../engine/task.js';
import type { Folio } from '../mm/folio.js';
import { PTE_MIGRATION, pteIndex } from '../mm/pagetable.js';
import { isStaleMigrationEntry, stale_migration_entry } from './stale_migration_entry.js';
import { VM_FAULT_OK, type VmFault } from './vm_fault.js';
import type { MigrationWaiter } from '../policies/types.js';
import type { SpinLock } from '../locks/spinlock.js';
import type { Path } from '../engine/task.js';

/** Sleep on `folio`'s wait queue, already joined (prepare_to_wait happened before): io_schedule(). */
function sleepQueued(folio: Folio): Block {
  return {
    what: 'migration entry',
    block(task) {
      // Woken between joining and sleeping: schedule() returns at once.
      if (!folio.waitq.waiters.some((w) => w.task === task)) return 0;
      task.engine.sleep(task, this);
      return BLOCKED;
    },
  };
}

export function* migration_entry_wait(vmf: VmFault): Path {
  const { k, task, mm } = vmf;
  const t = mm.pt.lookup(vmf.vpn);
  if (t === undefined) return VM_FAULT_OK;
  const i = pteIndex(vmf.vpn);
  // pte_offset_map_lock(), then is_migration_entry() again under the PTL.
  yield t.ptl.lock;
  if (t.kind[i] !== PTE_MIGRATION) {
    t.ptl.unlock(task);
    return VM_FAULT_OK;
  }
  const folio = t.folioAt(i)!;
  // migration_entry_to_page(): BUG_ON(!PageLocked(p)).
  if (isStaleMigrationEntry(folio)) {
    stale_migration_entry(k, task, mm, t, i, vmf.address, 'a fault (migration_entry_wait)');
    t.ptl.unlock(task);
    return VM_FAULT_OK;
  }
  task.path = 'migration-wait';
  k.stats.count('migration_entry_waits');
  // What the waiter holds while it waits is the migration_wait variant's (its `wait` hook).
  yield* k.policy.migration_wait.wait(new Waiter(vmf, t.ptl, folio));
  return VM_FAULT_OK;
}

/** The steps a migration_wait variant composes, for one fault on one migration entry under the PTL. */
class Waiter implements MigrationWaiter {
  constructor(
    private readonly vmf: VmFault,
    private readonly ptl: SpinLock,
    private readonly folio: Folio,
  ) {}

  tryGetRef(): boolean {
    if (!this.folio.tryGet('migration_entry_wait')) return false;
    this.folio.waitRefs++;
    return true;
  }

  putRef(why: string): void {
    this.folio.waitRefs--;
    this.vmf.k.pages.put(this.folio, why);
  }

  unlockPtl(): void {
    this.ptl.unlock(this.vmf.task);
  }

  get folioLocked(): boolean {
    return this.folio.locked;
  }

  enqueue(): void {
    this.folio.waitq.add(this.vmf.task, false, this.vmf.k.now);
  }

  *sleepQueued(): Path<void> {
    yield sleepQueued(this.folio);
  }

  *waitWhileLocked(): Path<void> {
    const env = this.vmf.k.lockEnv;
    while (this.folio.locked) yield folioWaitLocked(env, this.folio);
  }

  get callCost(): number {
    return this.vmf.k.lockEnv.uncontended;
  }
}
