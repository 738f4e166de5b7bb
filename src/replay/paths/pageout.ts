/**
 * pageout() (mm/vmscan.c): write a dirty, unmapped folio that reclaim holds locked to its backing
 * store: swap_writepage() for swap-cache folios, ->writepage for page-cache folios.
 * folio_clear_dirty_for_io() first; the data written is the folio's version at submission.
 * - zram (SWP_SYNCHRONOUS_IO): compression inline in the reclaiming task; the folio is clean
 *   and free to go when this returns (`clean`).
 * - an asynchronous device: folio_start_writeback(), submit, and reclaim moves on (`writeback`:
 *   the folio is kept). At completion folio_end_writeback() clears PG_writeback and, as
 *   folio_rotate_reclaimable() does for a folio reclaim wanted, moves it to the reclaim end of
 *   the LRU, where the next reclaim pass frees it. Until then a fault finds it in the swap cache
 *   or page cache.
 */
import type { Kernel, Thread } from '../kernel.js';
import { PG_DIRTY, PG_LRU, PG_WRITEBACK, type Folio } from '../mm/folio.js';
import type { Path } from '../engine/task.js';

/** Outcome of pageout(). */
export type PageoutResult = 'clean' | 'writeback';

export function* pageout(k: Kernel, task: Thread, folio: Folio): Path<PageoutResult> {
  const version = folio.data;
  folio.clear(PG_DIRTY);
  if (folio.file < 0) {
    const si = k.swap;
    const slot = folio.swapSlot;
    if (si.device.synchronous) {
      yield si.device.inlineCost(true, 1);
      si.writeSlot(slot, version);
      return 'clean';
    }
    si.writeSlot(slot, version);
    folio.set(PG_WRITEBACK);
    yield si.device.submit(task, true, 1, () => folio_end_writeback(k, folio));
    return 'writeback';
  }
  const pc = k.pageCache;
  const as = pc.mappingOfFolio(folio)!;
  as.writeDisk(folio.index, version);
  folio.set(PG_WRITEBACK);
  yield pc.device.submit(task, true, 1, () => folio_end_writeback(k, folio));
  return 'writeback';
}

/** folio_end_writeback() + folio_rotate_reclaimable(): to the reclaim end of the LRU. */
function folio_end_writeback(k: Kernel, folio: Folio): void {
  folio.clear(PG_WRITEBACK);
  if (folio.freed || !folio.has(PG_LRU) || k.pages.lru.oldest() === folio.slot) return;
  k.pages.lru.del(folio.slot);
  k.pages.lru.addOldest(folio.liveSlot('added to the LRU'));
}
