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

/**
 * Not a kernel page flag: the folio went back to the allocator (its page would be PageBuddy on a
 * free list). Kept in `flags` so a folio carries no separate boolean; read it as `freed`.
 */
const FOLIO_FREED = 1 << 15;

/** Bits of `flags` below the node number (page flags and FOLIO_FREED). */
const NODE_SHIFT = 16;
const PAGE_FLAGS_MASK = (1 << NODE_SHIFT) - 1;
/** Node field value meaning "the node is in the side object" (13 bits keep flags a small integer). */
const NODE_UNPACKED = (1 << 13) - 1;

/**
 * Numbers that are not small integers (oracle versions view*2^32+seq, linear page indexes near
 * 2^35) would each need a boxed double in the folio; `data` and `index` are kept instead as
 * hi*2^31 + lo with lo a 31-bit field of its own, and the two hi parts share one field: data's
 * in the low DATA_HI_BITS bits, index's above them. That packs every data version of a view id
 * below 2^14 and every index in [0, 2^44); any other value (negative, a fraction, -0, NaN, a
 * huge number) is kept as is in the side object, its hi part all ones.
 */
const SPLIT = 2 ** 31;
const DATA_HI_BITS = 15;
const DATA_HI_MASK = (1 << DATA_HI_BITS) - 1;
const INDEX_HI_MASK = (1 << 13) - 1;
/** A hi part equal to its mask: the value is in the side object. */
const DATA_SIDE = DATA_HI_MASK;
const INDEX_SIDE = INDEX_HI_MASK;

/** hi part of `v` (v = hi*2^31 + lo, 0 <= lo < 2^31), or `side` when v does not split exactly. */
function hiOf(v: number, side: number): number {
  const h = Math.floor(v / SPLIT);
  return Number.isInteger(v) && h >= 0 && h < side && !Object.is(v, -0) ? h | 0 : side;
}

/**
 * The rarely set parts of a folio (the folio lock's wait queue, report-only reference
 * tags, swap slot, and values of `data`, `index` or `node` that do not pack), allocated the
 * first time one of them is set to something other than its default, so a folio that never
 * meets the folio lock, gup, a migration wait or the swap cache carries none of them.
 */
class FolioExtra {
  pinCount = 0;
  gupCount = 0;
  waitRefs = 0;
  swapSlot = -1;
  wq: WaitQueue | null = null;
  data = 0;
  index = 0;
  node = 0;
  /** The file id of a folio that also has an anon_vma. */
  file = -1;
}

export class Folio {
  refcount = 1;
  mapcount = 0;
  flags = 0;
  /**
   * folio->mapping: the anon_vma of an anonymous folio (PAGE_MAPPING_ANON), the file id of a
   * page-cache folio, or null. Read it as `anonVma` and `file`; a folio given both (the kernel's
   * single pointer cannot) keeps the file id in the side object.
   */
  private mapping: AnonVma | number | null = null;
  /** LRU list links (reclaim order). */
  lruPrev: Folio | null = null;
  lruNext: Folio | null = null;
  /** `data` and `index` as hi*2^31 + lo, both hi parts in `his` (see SPLIT). */
  private his = 0;
  private dataLo = 0;
  private indexLo = 0;
  private x: FolioExtra | null = null;

  private extra(): FolioExtra {
    return (this.x ??= new FolioExtra());
  }

  /** Data version held (integrity oracle encoding, see oracle.ts). */
  get data(): number {
    const h = this.his & DATA_HI_MASK;
    return h === DATA_SIDE ? this.x!.data : h * SPLIT + this.dataLo;
  }

  set data(v: number) {
    const h = hiOf(v, DATA_SIDE);
    this.his = (this.his & ~DATA_HI_MASK) | h;
    if (h === DATA_SIDE) {
      this.dataLo = 0;
      this.extra().data = v;
    } else this.dataLo = (v - h * SPLIT) | 0;
  }

  /** Page index: linear page offset for anon rmap, file page offset for file folios. */
  get index(): number {
    const h = this.his >>> DATA_HI_BITS;
    return h === INDEX_SIDE ? this.x!.index : h * SPLIT + this.indexLo;
  }

  set index(v: number) {
    const h = hiOf(v, INDEX_SIDE);
    this.his = (this.his & DATA_HI_MASK) | (h << DATA_HI_BITS);
    if (h === INDEX_SIDE) {
      this.indexLo = 0;
      this.extra().index = v;
    } else this.indexLo = (v - h * SPLIT) | 0;
  }

  /** anon_vma for anonymous rmap (folio_anon_vma), or null. */
  get anonVma(): AnonVma | null {
    const m = this.mapping;
    return typeof m === 'object' ? m : null;
  }

  set anonVma(v: AnonVma | null) {
    const m = this.mapping;
    if (v !== null) {
      if (typeof m === 'number') this.extra().file = m;
      this.mapping = v;
    } else if (m !== null && typeof m === 'object') {
      // Dropping the anon_vma: a file id kept beside it becomes the mapping again.
      const x = this.x;
      const file = x === null ? -1 : x.file;
      if (x !== null) x.file = -1;
      this.mapping = file === -1 ? null : file;
    }
  }

  /** File id for page-cache folios, -1 for anonymous. */
  get file(): number {
    const m = this.mapping;
    if (typeof m === 'number') return m;
    return m === null || this.x === null ? -1 : this.x.file;
  }

  set file(v: number) {
    const m = this.mapping;
    if (m !== null && typeof m === 'object') {
      if (this.x !== null || v !== -1) this.extra().file = v;
    } else this.mapping = v === -1 ? null : v;
  }

  /** Returned to the allocator (freeFolio); no reference may be taken any more. */
  get freed(): boolean {
    return (this.flags & FOLIO_FREED) !== 0;
  }

  set freed(v: boolean) {
    if (v) this.flags |= FOLIO_FREED;
    else this.flags &= ~FOLIO_FREED;
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

  get waitRefs(): number {
    return this.x === null ? 0 : this.x.waitRefs;
  }

  set waitRefs(v: number) {
    if (this.x !== null || v !== 0) this.extra().waitRefs = v;
  }

  constructor(
    readonly id: number,
    node: number,
  ) {
    this.node = node;
  }

  /**
   * NUMA node (folio_nid / page_to_nid): kept in the upper bits of `flags`, as the kernel keeps
   * it in page->flags (NODES_PGSHIFT); a node number too large for those bits lives in the side
   * object.
   */
  get node(): number {
    const n = this.flags >>> NODE_SHIFT;
    return n === NODE_UNPACKED ? this.x!.node : n;
  }

  set node(v: number) {
    const packed = Number.isInteger(v) && v >= 0 && v < NODE_UNPACKED && !Object.is(v, -0) ? v : NODE_UNPACKED;
    if (packed === NODE_UNPACKED) this.extra().node = v;
    this.flags = (this.flags & PAGE_FLAGS_MASK) | (packed << NODE_SHIFT);
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
