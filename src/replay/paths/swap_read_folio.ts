/**
 * swap_read_folio() (mm/page_io.c): read locked folios from their swap slots. On a
 * SWP_SYNCHRONOUS_IO device (zram) each read is decompression done inline by the caller
 * (swap_read_folio_bdev_sync / zram's rw_page), so the folio is uptodate and unlocked when the
 * call returns. Otherwise the reads are submitted under one blk plug: folios whose slots are
 * contiguous merge into one request, and each request's completion (end_swap_bio_read ->
 * folio_end_read) marks its folios uptodate and unlocks them, waking whoever waits on them.
 *
 * The data a read returns is the slot's version when the read starts (the device copies the
 * slot then); `swapins` and `duplicate_swapins` are counted per page read (SwapInfo.beginRead).
 */
import type { Kernel, Thread } from '../kernel.js';
import { folio_unlock } from '../locks/folio_lock.js';
import { PG_UPTODATE, type Folio } from '../mm/folio.js';
import type { SwapInfo } from '../mm/swap.js';
import type { Path } from '../engine/task.js';

/** One folio to fill from one slot. */
export interface SwapRead {
  folio: Folio;
  slot: number;
}

/** folio_end_read(): the data arrived; uptodate, unlock, wake the waiters. */
function end_read(k: Kernel, si: SwapInfo, r: SwapRead, data: number): void {
  r.folio.data = data;
  r.folio.set(PG_UPTODATE);
  si.endRead(r.slot, r.folio);
  folio_unlock(k.lockEnv, r.folio);
}

/** Read every folio of `reads` (each locked by the caller) from its slot. */
export function* swap_read_folios(k: Kernel, task: Thread, reads: SwapRead[]): Path<void> {
  const si = k.swap;
  const dev = si.device;
  if (dev.synchronous) {
    // zram: decompress each page now, in this task.
    for (const r of reads) {
      const data = si.beginRead(r.slot);
      yield dev.inlineCost(false, 1);
      end_read(k, si, r, data);
    }
    return;
  }
  // blk_start_plug .. blk_finish_plug: contiguous slots become one request.
  const sorted = [...reads].sort((a, b) => a.slot - b.slot);
  let i = 0;
  while (i < sorted.length) {
    let j = i + 1;
    while (j < sorted.length && sorted[j]!.slot === sorted[j - 1]!.slot + 1) j++;
    const run = sorted.slice(i, j);
    const data = run.map((r) => si.beginRead(r.slot));
    yield dev.submit(task, false, run.length, () => run.forEach((r, n) => end_read(k, si, r, data[n]!)));
    i = j;
  }
}
