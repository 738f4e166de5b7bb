/**
 * File readahead (mm/readahead.c): page_cache_ra_unbounded() allocates the missing folios of a
 * window, adds them to the page cache locked, marks the one `async_size` pages before the end
 * PG_readahead (touching it starts the next window asynchronously), and read_pages() submits
 * them: folios with contiguous indices form one request (one bio per run, as under a plug), and
 * each request's completion marks its folios uptodate and unlocks them. Also the single-folio
 * read of filemap_read_folio(). Shmem mappings never read: their folios are zero-filled.
 */
import type { Kernel, Thread } from '../kernel.js';
import { folio_set_locked, folio_unlock } from '../locks/folio_lock.js';
import { PG_READAHEAD, PG_UPTODATE, type Folio } from '../mm/folio.js';
import { RA_PAGES, type AddressSpace, type FileRaState } from '../mm/pagecache.js';
import type { Path } from '../engine/task.js';
import { try_to_free_pages } from './shrink_folio_list.js';

/** get_next_ra_size(): ramp a window up to `max` (x4 while small, x2, then max). */
export function get_next_ra_size(cur: number, max: number): number {
  if (cur < max / 16) return 4 * cur;
  if (cur <= max / 2) return 2 * cur;
  return max;
}

/** read_pages(): submit locked, not uptodate folios; contiguous indices share one request. */
export function* read_pages(k: Kernel, task: Thread, as: AddressSpace, folios: Folio[]): Path<void> {
  const dev = k.pageCache.device;
  const sorted = [...folios].sort((a, b) => a.index - b.index);
  let i = 0;
  while (i < sorted.length) {
    let j = i + 1;
    while (j < sorted.length && sorted[j]!.index === sorted[j - 1]!.index + 1) j++;
    const run = sorted.slice(i, j);
    // The disk returns what was last written back at submission.
    const data = run.map((f) => as.diskData(f.index));
    yield dev.submit(task, false, run.length, () => {
      run.forEach((f, n) => {
        f.data = data[n]!;
        f.set(PG_UPTODATE);
        folio_unlock(k.lockEnv, f);
      });
    });
    i = j;
  }
}

/**
 * page_cache_ra_unbounded(): read [start, start + nr) clamped to the file's end (`endIndex`),
 * skipping indices already cached; PG_readahead on index start + nr - asyncSize.
 */
export function* page_cache_ra_unbounded(k: Kernel, task: Thread, as: AddressSpace, start: number, nr: number, asyncSize: number, endIndex: number): Path<void> {
  const c = k.costs;
  const mark = start + nr - asyncSize;
  const batch: Folio[] = [];
  for (let index = start; index < start + nr && index < endIndex; index++) {
    if (as.folios.has(index)) {
      // Already cached: kick off the current batch of contiguous pages first.
      yield* read_pages(k, task, as, batch.splice(0));
      continue;
    }
    // Allocate and insert in one step (a racing insert would make add_to_page_cache fail and
    // readahead skip the index; here nobody can come in between).
    const f = k.pages.allocFolio(task.runningCpu.node);
    folio_set_locked(k.lockEnv, f, task);
    as.add(f, index);
    k.pages.put(f, 'readahead: the cache holds it');
    k.pages.lru.add(f.liveSlot('added to the LRU'));
    if (index === mark) f.set(PG_READAHEAD);
    batch.push(f);
    yield c.folio_alloc + c.pagecache_add;
  }
  yield* read_pages(k, task, as, batch);
  k.stats.count('file_readahead_windows');
  if (k.pages.overLimit()) yield* try_to_free_pages(k, task);
}

/** page_cache_async_ra(): the PG_readahead folio was touched: the next window, ramped up. */
export function* page_cache_async_ra(k: Kernel, task: Thread, as: AddressSpace, ra: FileRaState, folio: Folio, endIndex: number): Path<void> {
  folio.clear(PG_READAHEAD);
  // Is it the expected marker? Then push the window forward; else start a new one here.
  const expected = ra.start + ra.size - ra.asyncSize;
  if (folio.index === expected || folio.index === ra.start + ra.size) {
    ra.start += ra.size;
    ra.size = get_next_ra_size(ra.size, RA_PAGES);
  } else {
    ra.start = folio.index + 1;
    ra.size = get_next_ra_size(Math.max(1, ra.size), RA_PAGES);
  }
  ra.asyncSize = ra.size;
  yield* page_cache_ra_unbounded(k, task, as, ra.start, ra.size, ra.asyncSize, endIndex);
}
