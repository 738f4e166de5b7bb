/**
 * A folio (one base page here) as the paths see it: a handle on its slot in the replay's
 * FolioStore (folio_store.ts), with the rarely set parts (the folio lock's wait queue, report-only
 * reference tags, swap slot) beside it. One API: every figure is read from and written to the
 * store's columns through the handle; the slot-level operations (note, mapDelta) exist once, on
 * the store, and the handle calls them with its slot.
 *
 * Flags (include/linux/page-flags.h): LOCKED, UPTODATE, DIRTY, SWAPCACHE, ANON_EXCLUSIVE, LRU,
 * WRITEBACK, READAHEAD. Refcount rules: every mapping PTE, the swap cache, the page cache, an
 * isolation for migration, a gup reference (+1) and a pin (+GUP_PIN_COUNTING_BIAS) each hold
 * references; the folio is freed when the count reaches zero. A count below zero is an invariant
 * failure with the folio's recent history.
 *
 * Handles: folioAt() makes a live slot's handle the first time a path asks, then returns the
 * slot's one handle while the folio lives, so handles compare as folios do. When the folio is
 * freed (FolioStore.release) its handle moves its values into a one-slot store of its own
 * (retire), so a freed folio stays readable, with the same getters, to whatever still holds it
 * (stale migration entries and reports look at freed folios).
 */
import { InvariantError } from '../../util/errors.js';
import { WaitQueue } from '../locks/waitqueue.js';
import { FOLIO_FREED, FolioStore, NO_SLOT, type FolioHandle, type FolioMapping } from './folio_store.js';

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
/**
 * Not a kernel page flag: isolated from the LRU by a migrator (migrate_pages.ts), for the
 * refcount report's holder column; the kernel knows it only as !PageLRU plus a reference.
 */
export const FOLIO_ISOLATED = 1 << 14;

/** GUP_PIN_COUNTING_BIAS (include/linux/mm.h): a FOLL_PIN adds this to the refcount. */
export const GUP_PIN_COUNTING_BIAS = 1024;

/** The handle of the live folio in slot `s` of `st` (made on first use, then always the same object). */
export function folioAt(st: FolioStore, s: number): Folio {
  // Only Folio handles are ever put in a store's handle table (Folio's constructor).
  const h = st.handles.get(s) as Folio | undefined;
  if (h !== undefined) return h;
  if (!st.isLive(s)) throw new Error(`no folio in slot ${s}`);
  return new Folio(st.id[s]!, 0, st, s);
}

/**
 * The rarely set parts of a folio (the folio lock's wait queue, report-only reference tags, swap
 * slot, the file id of a folio that also has an anon_vma), allocated the first time one of them
 * is set to something other than its default.
 */
class FolioExtra {
  pinCount = 0;
  gupCount = 0;
  waitRefs = 0;
  cowRefs = 0;
  swapSlot = -1;
  wq: WaitQueue | null = null;
  file = -1;
}

export class Folio implements FolioHandle {
  private x: FolioExtra | null = null;
  /** Where the folio's values live: its slot `s` of `store` while it lives, slot 0 of a store of its own once freed. */
  private st: FolioStore;
  private s: number;

  private extra(): FolioExtra {
    return (this.x ??= new FolioExtra());
  }

  /**
   * A new folio `id` on `node` in `store` (a slot of its own), or, with `slot`, the handle of
   * that live slot (folioAt).
   */
  constructor(
    readonly id: number,
    node: number,
    readonly store: FolioStore,
    slot = NO_SLOT,
  ) {
    this.st = store;
    this.s = slot === NO_SLOT ? store.alloc(id, node) : slot;
    store.handles.set(this.s, this);
  }

  /** The folio's slot in `store` (what a present PTE and the LRU name); NO_SLOT once freed. */
  get slot(): number {
    return this.st === this.store ? this.s : NO_SLOT;
  }

  /**
   * The slot of a folio that is to be named by a PTE or the LRU, which only live folios may be:
   * for a freed one that is an emulator bug, reported with the folio's history.
   */
  liveSlot(what: string): number {
    if (this.st !== this.store) throw new InvariantError(`a freed folio ${what}`, `folio ${this.id}`, this.recentHistory());
    return this.s;
  }

  /** FolioStore.release(): the folio was freed and its slot goes back; keep the last values. */
  retire(): void {
    if (this.st !== this.store) return;
    const kept = new FolioStore(1, this.store.history);
    kept.keep(this.store, this.s);
    this.st = kept;
    this.s = 0;
  }

  get refcount(): number {
    return this.st.refcount[this.s]!;
  }

  set refcount(v: number) {
    this.st.refcount[this.s] = v;
  }

  get mapcount(): number {
    return this.st.mapcount[this.s]!;
  }

  set mapcount(v: number) {
    this.st.mapcount[this.s] = v;
  }

  /** Page flags (PG_*), FOLIO_FREED and the node number, as page->flags. */
  get flags(): number {
    return this.st.flags[this.s]!;
  }

  set flags(v: number) {
    this.st.flags[this.s] = v;
  }

  /** Data version held (integrity oracle encoding, see oracle.ts). */
  get data(): number {
    return this.st.data[this.s]!;
  }

  set data(v: number) {
    this.st.data[this.s] = v;
  }

  /** Page index: linear page offset for anon rmap, file page offset for file folios. */
  get index(): number {
    return this.st.index[this.s]!;
  }

  set index(v: number) {
    this.st.index[this.s] = v;
  }

  /** Cycle the folio lock was taken (locks/folio_lock.ts). */
  get lockedAt(): number {
    return this.st.lockedAt[this.s]!;
  }

  set lockedAt(v: number) {
    this.st.lockedAt[this.s] = v;
  }

  /**
   * folio->mapping of an anonymous folio: its anon_vma, opaque here as a pointer is to the
   * kernel; mm/mm_types.ts folio_anon_vma() gives it its type. null when none.
   */
  get anonVma(): object | null {
    const m = this.st.mappingOf(this.s);
    return typeof m === 'object' ? m : null;
  }

  set anonVma(v: object | null) {
    const m = this.st.mappingOf(this.s);
    if (v !== null) {
      if (typeof m === 'number') this.extra().file = m;
      this.setMapping(v);
    } else if (m !== null && typeof m === 'object') {
      // Dropping the anon_vma: a file id kept beside it becomes the mapping again.
      const x = this.x;
      const file = x === null ? -1 : x.file;
      if (x !== null) x.file = -1;
      this.setMapping(file === -1 ? null : file);
    }
  }

  private setMapping(v: FolioMapping): void {
    this.st.setMapping(this.s, v);
  }

  /** File id for page-cache folios, -1 for anonymous. */
  get file(): number {
    const m = this.st.mappingOf(this.s);
    if (typeof m === 'number') return m;
    return m === null || this.x === null ? -1 : this.x.file;
  }

  set file(v: number) {
    const m = this.st.mappingOf(this.s);
    if (m !== null && typeof m === 'object') {
      if (this.x !== null || v !== -1) this.extra().file = v;
    } else this.setMapping(v === -1 ? null : v);
  }

  /** Returned to the allocator (PageAllocator.free); no reference may be taken any more. */
  get freed(): boolean {
    return (this.flags & FOLIO_FREED) !== 0;
  }

  /** Swap slot while in the swap cache (or being written out), else -1. */
  get swapSlot(): number {
    return this.x === null ? -1 : this.x.swapSlot;
  }

  set swapSlot(v: number) {
    if (this.x !== null || v !== -1) this.extra().swapSlot = v;
  }

  /** Waiters on the folio lock and on folio_wait_locked (allocated on first use). */
  get waitq(): WaitQueue {
    return (this.extra().wq ??= new WaitQueue('folio'));
  }

  /** The wait queue if anyone ever waited on this folio, else null (waitqueue_active() without allocating one). */
  get waitqIfAny(): WaitQueue | null {
    return this.x === null ? null : this.x.wq;
  }

  /**
   * Who holds references, for reports only (the kernel cannot tell, and no decision reads these):
   * FOLL_PIN pins, FOLL_GET gup references, references held by tasks waiting on a migration
   * entry, and whether a migrator isolated the folio.
   */
  get pinCount(): number {
    return this.x === null ? 0 : this.x.pinCount;
  }

  set pinCount(v: number) {
    if (this.x !== null || v !== 0) this.extra().pinCount = v;
  }

  get gupCount(): number {
    return this.x === null ? 0 : this.x.gupCount;
  }

  set gupCount(v: number) {
    if (this.x !== null || v !== 0) this.extra().gupCount = v;
  }

  /** References held by write faults copying the folio (do_wp_page's folio_get for wp_page_copy). */
  get cowRefs(): number {
    return this.x === null ? 0 : this.x.cowRefs;
  }

  set cowRefs(v: number) {
    if (this.x !== null || v !== 0) this.extra().cowRefs = v;
  }

  get waitRefs(): number {
    return this.x === null ? 0 : this.x.waitRefs;
  }

  set waitRefs(v: number) {
    if (this.x !== null || v !== 0) this.extra().waitRefs = v;
  }

  /** NUMA node (folio_nid / page_to_nid), kept in the upper bits of the flags as page->flags. */
  get node(): number {
    return this.st.nodeOf(this.s);
  }

  set node(v: number) {
    this.st.setNode(this.s, v);
  }

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
    if (this.freed) throw new InvariantError(`reference taken on a freed folio (${why})`, `folio ${this.id}`, this.recentHistory());
    // The count is 32-bit, as the kernel's atomic_t (which warns and refuses a pin near overflow).
    if (this.refcount + n > 0x7fffffff) throw new InvariantError(`refcount overflow (${why})`, `folio ${this.id}`, this.recentHistory());
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
    if (this.refcount < 0) throw new InvariantError('refcount below zero', `folio ${this.id}`, this.recentHistory());
    return this.refcount === 0;
  }

  /** A map count change (FolioStore.mapDelta); below zero is a bug. */
  mapDelta(n: number, why: string): void {
    this.st.mapDelta(this.s, n, why);
  }

  /** Record an event in the store's history ring (kept for invariant reports). */
  note(why: string): void {
    this.st.note(this.s, why);
  }

  /** Who holds a reference beyond the mappings and the cache (refcount.csv `holder`), or `-`. */
  holder(): string {
    if (this.waitRefs > 0) return 'migration-wait';
    if (this.cowRefs > 0) return 'wp-copy';
    if (this.pinCount > 0) return 'gup-pin';
    if (this.gupCount > 0) return 'gup';
    if (this.has(PG_SWAPCACHE)) return 'swapcache';
    return '-';
  }

  /** The folio's recent events (invariant reports). */
  recentHistory(): string[] {
    return this.store.history.of(this.id);
  }
}
