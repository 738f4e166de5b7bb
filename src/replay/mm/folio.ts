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

/** A slot number meaning "no folio" (LRU ends). */
export const NO_SLOT = -1;

/**
 * Every folio of a replay as one slot of typed arrays (a structure of arrays, the way the kernel
 * keeps struct page in one array indexed by pfn): id, refcount, mapcount, flags, data, index,
 * LRU links and folio->mapping. A fault that maps a new anonymous folio (do_anonymous_page)
 * takes a slot and makes no object: the millions of folios of a fault-heavy replay are not
 * objects for the garbage collector to copy, promote and trace (measured: a fault-dominated
 * replay spent a third of its time on the Folio objects it kept).
 *
 * A `Folio` is the handle the other paths work with: made for a slot the first time a path asks
 * (FolioStore.folio), then the slot's one handle, so handles compare as folios do. The rarely
 * set parts (wait queue, reference tags for reports, swap slot) live on the handle.
 * Slots are not reused: a freed folio stays readable through any PTE, migration entry or
 * reference that still names it (stale migration entries and reports look at freed folios).
 */
export class FolioStore {
  id: Float64Array<ArrayBuffer>;
  refcount: Float64Array<ArrayBuffer>;
  mapcount: Float64Array<ArrayBuffer>;
  flags: Int32Array<ArrayBuffer>;
  data: Float64Array<ArrayBuffer>;
  index: Float64Array<ArrayBuffer>;
  lruPrev: Int32Array<ArrayBuffer>;
  lruNext: Int32Array<ArrayBuffer>;
  /** folio->mapping: the anon_vma, the file id, or null (see Folio.anonVma / Folio.file). */
  readonly mapping: (AnonVma | number | null)[] = [];
  /** The slot's handle, once a path asked for one. */
  readonly handles: (Folio | null)[] = [];
  /** Slots in use. */
  used = 0;

  constructor(capacity = 1024) {
    this.id = new Float64Array(capacity);
    this.refcount = new Float64Array(capacity);
    this.mapcount = new Float64Array(capacity);
    this.flags = new Int32Array(capacity);
    this.data = new Float64Array(capacity);
    this.index = new Float64Array(capacity);
    this.lruPrev = new Int32Array(capacity);
    this.lruNext = new Int32Array(capacity);
  }

  /**
   * A new folio's slot: refcount 1, on `node`, everything else zero. A node number the flags
   * cannot hold is kept on the slot's handle, made here.
   */
  alloc(id: number, node: number): number {
    const s = this.used++;
    if (s === this.flags.length) this.grow();
    this.id[s] = id;
    this.refcount[s] = 1;
    this.lruPrev[s] = NO_SLOT;
    this.lruNext[s] = NO_SLOT;
    this.mapping.push(null);
    this.handles.push(null);
    if (packsNode(node)) this.flags[s] = node << NODE_SHIFT;
    else this.folio(s).node = node;
    return s;
  }

  /** The handle of slot `s` (made on first use, then always the same object). */
  folio(s: number): Folio {
    return this.handles[s] ?? new Folio(this.id[s]!, 0, this, s);
  }

  private grow(): void {
    const cap = this.flags.length * 2;
    const f64 = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.id = f64(this.id);
    this.refcount = f64(this.refcount);
    this.mapcount = f64(this.mapcount);
    this.data = f64(this.data);
    this.index = f64(this.index);
    this.flags = i32(this.flags);
    this.lruPrev = i32(this.lruPrev);
    this.lruNext = i32(this.lruNext);
  }
}

/** Whether `node` fits the node bits of the flags. */
function packsNode(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v < NODE_UNPACKED && !Object.is(v, -0);
}

/** The store of folios made outside a Kernel (tests of the model's parts). */
export const LOOSE_FOLIOS = new FolioStore();

/** Record an event of slot `s` in the global history ring (kept for invariant reports). */
export function noteSlot(st: FolioStore, s: number, why: string): void {
  const i = ringPos;
  ringId[i] = st.id[s]!;
  ringRef[i] = st.refcount[s]!;
  ringMap[i] = st.mapcount[s]!;
  ringWhy[i] = why;
  ringPos = (i + 1) % RING;
}

/** folio_add_new_anon_rmap()'s map count step for slot `s` (Folio.mapDelta). */
export function mapDeltaSlot(st: FolioStore, s: number, n: number, why: string): void {
  const m = (st.mapcount[s] = st.mapcount[s]! + n);
  noteSlot(st, s, why);
  if (m < 0) throw new InvariantError('mapcount below zero', `folio ${st.id[s]}`, folioHistory(st.id[s]!));
}

/**
 * The rarely set parts of a folio (the folio lock's wait queue, report-only reference
 * tags, swap slot, a node number too large for the flags, the file id of a folio that also has
 * an anon_vma), allocated the first time one of them is set to something other than its
 * default.
 */
class FolioExtra {
  pinCount = 0;
  gupCount = 0;
  waitRefs = 0;
  swapSlot = -1;
  wq: WaitQueue | null = null;
  node = 0;
  file = -1;
}

export class Folio {
  private x: FolioExtra | null = null;
  /** The folio's slot in `store`. */
  readonly slot: number;

  private extra(): FolioExtra {
    return (this.x ??= new FolioExtra());
  }

  /**
   * A new folio `id` on `node` in `store` (a slot of its own), or, with `slot`, the handle of
   * that existing slot (FolioStore.folio).
   */
  constructor(
    readonly id: number,
    node: number,
    readonly store: FolioStore = LOOSE_FOLIOS,
    slot = NO_SLOT,
  ) {
    if (slot === NO_SLOT) {
      this.slot = store.alloc(id, 0);
      store.handles[this.slot] = this;
      this.node = node;
    } else {
      this.slot = slot;
      store.handles[slot] = this;
    }
  }

  get refcount(): number {
    return this.store.refcount[this.slot]!;
  }

  set refcount(v: number) {
    this.store.refcount[this.slot] = v;
  }

  get mapcount(): number {
    return this.store.mapcount[this.slot]!;
  }

  set mapcount(v: number) {
    this.store.mapcount[this.slot] = v;
  }

  /** Page flags (PG_*), FOLIO_FREED and the node number, as page->flags. */
  get flags(): number {
    return this.store.flags[this.slot]!;
  }

  set flags(v: number) {
    this.store.flags[this.slot] = v;
  }

  /** Data version held (integrity oracle encoding, see oracle.ts). */
  get data(): number {
    return this.store.data[this.slot]!;
  }

  set data(v: number) {
    this.store.data[this.slot] = v;
  }

  /** Page index: linear page offset for anon rmap, file page offset for file folios. */
  get index(): number {
    return this.store.index[this.slot]!;
  }

  set index(v: number) {
    this.store.index[this.slot] = v;
  }

  /** anon_vma for anonymous rmap (folio_anon_vma), or null. */
  get anonVma(): AnonVma | null {
    const m = this.store.mapping[this.slot]!;
    return typeof m === 'object' ? m : null;
  }

  set anonVma(v: AnonVma | null) {
    const st = this.store.mapping;
    const m = st[this.slot]!;
    if (v !== null) {
      if (typeof m === 'number') this.extra().file = m;
      st[this.slot] = v;
    } else if (m !== null && typeof m === 'object') {
      // Dropping the anon_vma: a file id kept beside it becomes the mapping again.
      const x = this.x;
      const file = x === null ? -1 : x.file;
      if (x !== null) x.file = -1;
      st[this.slot] = file === -1 ? null : file;
    }
  }

  /** File id for page-cache folios, -1 for anonymous. */
  get file(): number {
    const m = this.store.mapping[this.slot]!;
    if (typeof m === 'number') return m;
    return m === null || this.x === null ? -1 : this.x.file;
  }

  set file(v: number) {
    const m = this.store.mapping[this.slot]!;
    if (m !== null && typeof m === 'object') {
      if (this.x !== null || v !== -1) this.extra().file = v;
    } else this.store.mapping[this.slot] = v === -1 ? null : v;
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
    const packed = packsNode(v) ? v : NODE_UNPACKED;
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
    mapDeltaSlot(this.store, this.slot, n, why);
  }

  /** Record an event in the global history ring (kept for invariant reports). */
  note(why: string): void {
    noteSlot(this.store, this.slot, why);
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
