/**
 * A folio (one base page here): reference count, map count, flags, NUMA node, data version, the
 * folio lock with its wait queue, and its rmap identity (anon_vma + index, or file + index).
 *
 * Flags (include/linux/page-flags.h): LOCKED, UPTODATE, DIRTY, SWAPCACHE, ANON_EXCLUSIVE, LRU.
 * Refcount rules: every mapping PTE, the swap cache, the page cache, an isolation for
 * migration, a gup reference (+1) and a pin (+GUP_PIN_COUNTING_BIAS) each hold references; the
 * folio is freed when the count reaches zero. A count below zero is an invariant failure with
 * the folio's recent history.
 */
import { InvariantError } from '../../util/errors.js';
import { WaitQueue } from '../locks/waitqueue.js';
import type { AnonVma } from './anon_vma.js';

export const PG_LOCKED = 1;
export const PG_UPTODATE = 2;
export const PG_DIRTY = 4;
export const PG_SWAPCACHE = 8;
export const PG_ANON_EXCLUSIVE = 16;
export const PG_LRU = 32;
/** Under writeback to swap or disk (folio_start_writeback .. folio_end_writeback). */
export const PG_WRITEBACK = 64;
/** Read ahead, not yet touched: a hit on it counts a readahead hit / starts async readahead. */
export const PG_READAHEAD = 128;

/** GUP_PIN_COUNTING_BIAS (include/linux/mm.h): a FOLL_PIN adds this to the refcount. */
export const GUP_PIN_COUNTING_BIAS = 1024;

/**
 * Recent folio events, for invariant reports: one global ring of (folio id, refcount, mapcount,
 * reason) instead of per-folio strings, so the hot path allocates nothing. Reset per replay.
 */
const RING = 1 << 16;
const ringId = new Int32Array(RING);
const ringRef = new Int32Array(RING);
const ringMap = new Int32Array(RING);
const ringWhy: string[] = new Array<string>(RING).fill('');
let ringPos = 0;

/** Forget the history of a previous replay (folio ids restart per Kernel). */
export function resetFolioHistory(): void {
  ringId.fill(0);
  ringPos = 0;
}

/** The last `max` recorded events of folio `id`, oldest first. */
export function folioHistory(id: number, max = 16): string[] {
  const out: string[] = [];
  for (let k = 1; k <= RING && out.length < max; k++) {
    const i = (ringPos - k + RING) % RING;
    if (ringId[i] === id && ringWhy[i] !== '') out.push(`${ringWhy[i]}: refcount ${ringRef[i]}, mapcount ${ringMap[i]}`);
  }
  return out.reverse();
}

export class Folio {
  refcount = 1;
  mapcount = 0;
  flags = 0;
  /** Data version held (integrity oracle encoding, see oracle.ts). */
  data = 0;
  anonVma: AnonVma | null = null;
  /** File id for page-cache folios, -1 for anonymous. */
  file = -1;
  /** Page index: linear page offset for anon rmap, file page offset for file folios. */
  index = 0;
  /** Swap slot while in the swap cache (or being written out), else -1. */
  swapSlot = -1;
  freed = false;
  /** LRU list links (reclaim order). */
  lruPrev: Folio | null = null;
  lruNext: Folio | null = null;
  private wq: WaitQueue | null = null;
  /** Waiters on the folio lock and on folio_wait_locked (allocated on first use). */
  get waitq(): WaitQueue {
    return (this.wq ??= new WaitQueue('folio'));
  }
  /** Task holding the folio lock (for reports), if any. */
  lockHolder = -1;
  /**
   * Who holds references, for reports only (the kernel cannot tell, and no decision reads these):
   * FOLL_PIN pins, FOLL_GET gup references, references held by tasks waiting on a migration
   * entry, and whether a migrator isolated the folio.
   */
  pinCount = 0;
  gupCount = 0;
  waitRefs = 0;
  constructor(
    readonly id: number,
    public node: number,
  ) {}

  get locked(): boolean {
    return (this.flags & PG_LOCKED) !== 0;
  }

  has(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  set(flag: number): void {
    this.flags |= flag;
  }

  clear(flag: number): void {
    this.flags &= ~flag;
  }

  /** folio_maybe_dma_pinned(): refcount >= GUP_PIN_COUNTING_BIAS (false positives possible). */
  get maybeDmaPinned(): boolean {
    return this.refcount >= GUP_PIN_COUNTING_BIAS;
  }

  /** folio_get / folio_ref_add. */
  get(n = 1, why = 'get'): void {
    if (this.freed) throw new InvariantError(`reference taken on a freed folio (${why})`, `folio ${this.id}`, folioHistory(this.id));
    this.refcount += n;
    this.note(why);
  }

  /** folio_get_unless_zero / get_page_unless_zero. */
  tryGet(why = 'try_get'): boolean {
    if (this.refcount === 0 || this.freed) return false;
    this.get(1, why);
    return true;
  }

  /** folio_put / folio_ref_sub: returns true when this dropped the last reference. */
  put(n = 1, why = 'put'): boolean {
    this.refcount -= n;
    this.note(why);
    if (this.refcount < 0) throw new InvariantError('refcount below zero', `folio ${this.id}`, folioHistory(this.id));
    return this.refcount === 0;
  }

  /** Record a map count change; below zero is a bug. */
  mapDelta(n: number, why: string): void {
    this.mapcount += n;
    this.note(why);
    if (this.mapcount < 0) throw new InvariantError('mapcount below zero', `folio ${this.id}`, folioHistory(this.id));
  }

  /** Record an event in the global history ring (kept for invariant reports). */
  note(why: string): void {
    const i = ringPos;
    ringId[i] = this.id;
    ringRef[i] = this.refcount;
    ringMap[i] = this.mapcount;
    ringWhy[i] = why;
    ringPos = (i + 1) % RING;
  }

  /** Who holds a reference beyond the mappings and the cache (refcount.csv `holder`), or `-`. */
  holder(): string {
    if (this.waitRefs > 0) return 'migration-wait';
    if (this.pinCount > 0) return 'gup-pin';
    if (this.gupCount > 0) return 'gup';
    if (this.has(PG_SWAPCACHE)) return 'swapcache';
    return '-';
  }

  recentHistory(): string[] {
    return folioHistory(this.id);
  }
}
