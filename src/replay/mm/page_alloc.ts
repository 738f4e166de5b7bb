/**
 * The page allocator and folio lifetime of one replay (mm/page_alloc.c folio_alloc, mm/swap.c
 * folio_put / __folio_put): the FolioStore every folio lives in, the LRU, the shared zero page,
 * and the resident-page count that --memory-limit bounds (direct reclaim is
 * paths/shrink_folio_list.ts try_to_free_pages, which allocating paths call when overLimit()).
 */
import { PAGE_SIZE } from '../../ingest/schema.js';
import { Folio, PG_LRU, folioAt } from './folio.js';
import { FolioStore } from './folio_store.js';
import { Lru } from './lru.js';

export class PageAllocator {
  readonly store = new FolioStore();
  readonly lru = new Lru(this.store);
  /** The shared zero page: mapped read-only, never refcounted (is_zero_pfn). */
  readonly zero: Folio;
  /** Resident folios (allocated, not freed), the figure --memory-limit bounds. */
  resident = 0;
  /** The most folios resident at once: the replay's memory footprint. */
  residentPeak = 0;
  /**
   * Folios isolated from the LRU by a reclaim in progress (NR_ISOLATED_ANON + NR_ISOLATED_FILE,
   * counted by shrink_folio_list's callers): they come back or are freed when it ends.
   */
  isolated = 0;
  /** --memory-limit in pages (0 = none). */
  readonly limitPages: number;
  private nextId = 1;

  constructor(memoryLimitBytes: number | null) {
    this.limitPages = memoryLimitBytes === null ? 0 : Math.floor(memoryLimitBytes / PAGE_SIZE);
    this.zero = new Folio(0, 0, this.store);
    this.zero.refcount = 1 << 30;
  }

  /** folio_alloc() on `node` (first touch: the faulting CPU's node): the new folio's slot, refcount 1. */
  alloc(node: number): number {
    if (++this.resident > this.residentPeak) this.residentPeak = this.resident;
    return this.store.alloc(this.nextId++, node);
  }

  /** alloc() for a path that works with the folio's handle. */
  allocFolio(node: number): Folio {
    return folioAt(this.store, this.alloc(node));
  }

  /** The handle of the live folio in slot `s`. */
  folio(s: number): Folio {
    return folioAt(this.store, s);
  }

  /** folio_put(): drop a reference; frees the folio when it was the last. */
  put(f: Folio, why: string): void {
    if (f === this.zero) return;
    if (f.put(1, why)) this.free(f);
  }

  /** Return a folio to the allocator (refcount already zero). */
  free(f: Folio): void {
    const s = f.liveSlot('freed twice');
    if (f.has(PG_LRU)) this.lru.del(s);
    f.note('freed');
    this.resident--;
    // The slot goes back for the next folio; the handle keeps the last values.
    this.store.release(s);
  }

  /** Resident memory is over --memory-limit: the allocating path reclaims (try_to_free_pages). */
  overLimit(): boolean {
    return this.limitPages > 0 && this.resident > this.limitPages;
  }
}
