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

/** GUP_PIN_COUNTING_BIAS (include/linux/mm.h): a FOLL_PIN adds this to the refcount. */
export const GUP_PIN_COUNTING_BIAS = 1024;

const HISTORY = 16;

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
  /** Waiters on the folio lock and on folio_wait_locked. */
  readonly waitq = new WaitQueue('folio');
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
  private readonly history: string[] = [];

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
    if (this.freed) throw new InvariantError(`reference taken on a freed folio (${why})`, `folio ${this.id}`, this.history);
    this.refcount += n;
    this.note(`+${n} ${why} -> ${this.refcount}`);
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
    this.note(`-${n} ${why} -> ${this.refcount}`);
    if (this.refcount < 0) throw new InvariantError('refcount below zero', `folio ${this.id}`, this.history);
    return this.refcount === 0;
  }

  /** Record a map count change; below zero is a bug. */
  mapDelta(n: number, why: string): void {
    this.mapcount += n;
    this.note(`map ${n > 0 ? '+' : ''}${n} ${why} -> ${this.mapcount}`);
    if (this.mapcount < 0) throw new InvariantError('mapcount below zero', `folio ${this.id}`, this.history);
  }

  /** Append to the folio's recent history (kept for invariant reports). */
  note(s: string): void {
    if (this.history.length >= HISTORY) this.history.shift();
    this.history.push(s);
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
    return [...this.history];
  }
}
