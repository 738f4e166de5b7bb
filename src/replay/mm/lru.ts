/**
 * The LRU (mm/swap.c folio_add_lru, mm/vmscan.c): one list of the folios reclaim may take, oldest
 * first, linked through the FolioStore's lruPrev/lruNext columns by slot, with PG_lru set on
 * the folios on it. One list without referenced bits (accessed bits are not modelled) and
 * without the per-CPU LRU batches (folio_batch): a folio is on the list from the moment it is
 * added. Slots only: a fault's new folio, which has no handle, is added the same way.
 */
import { PG_LRU } from './folio.js';
import { NO_SLOT, type FolioStore } from './folio_store.js';

export class Lru {
  private head = NO_SLOT;
  private tail = NO_SLOT;

  constructor(private readonly st: FolioStore) {}

  /** folio_add_lru(): the folio in slot `s` goes on at the newest end (a no-op when it is on). */
  add(s: number): void {
    const st = this.st;
    if ((st.flags[s]! & PG_LRU) !== 0) return;
    st.flags[s] |= PG_LRU;
    st.lruPrev[s] = this.tail;
    st.lruNext[s] = NO_SLOT;
    if (this.tail !== NO_SLOT) st.lruNext[this.tail] = s;
    else this.head = s;
    this.tail = s;
  }

  /**
   * folio_rotate_reclaimable(): put the folio in slot `s` on the LRU at its oldest end, which
   * reclaim scans first.
   */
  addOldest(s: number): void {
    const st = this.st;
    st.flags[s] |= PG_LRU;
    st.lruPrev[s] = NO_SLOT;
    st.lruNext[s] = this.head;
    if (this.head !== NO_SLOT) st.lruPrev[this.head] = s;
    else this.tail = s;
    this.head = s;
  }

  /** Take the folio in slot `s` off the LRU (isolation, free); a no-op when it is not on it. */
  del(s: number): void {
    const st = this.st;
    if ((st.flags[s]! & PG_LRU) === 0) return;
    st.flags[s] &= ~PG_LRU;
    const prev = st.lruPrev[s]!;
    const next = st.lruNext[s]!;
    if (prev !== NO_SLOT) st.lruNext[prev] = next;
    else this.head = next;
    if (next !== NO_SLOT) st.lruPrev[next] = prev;
    else this.tail = prev;
    st.lruPrev[s] = st.lruNext[s] = NO_SLOT;
  }

  /** The slot of the oldest folio on the LRU, or NO_SLOT. */
  oldest(): number {
    return this.head;
  }

  /** The slot of the folio after slot `s` on the LRU (newer), or NO_SLOT. */
  newer(s: number): number {
    return this.st.lruNext[s]!;
  }
}
