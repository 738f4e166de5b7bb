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
 * Every live folio of a replay as one slot of typed arrays (a structure of arrays, the way the
 * kernel keeps struct page in one array indexed by pfn): id, refcount, mapcount, flags, data,
 * index, LRU links and folio->mapping. A fault that maps a new anonymous folio
 * (do_anonymous_page) takes a slot and makes no object: the millions of folios of a fault-heavy
 * replay are not objects for the garbage collector to copy, promote and trace (measured: a
 * fault-dominated replay spent a third of its time on the Folio objects it kept).
 *
 * A `Folio` is the handle the other paths work with: made for a slot the first time a path asks
 * (FolioStore.folio), then the slot's one handle while the folio lives, so handles compare as
 * folios do. The rarely set parts (wait queue, reference tags for reports, swap slot) live on
 * the handle. When a folio is freed its slot goes back for the next allocation (memory follows
 * the folios alive, not the folios ever allocated) and its handle, if it has one, keeps the
 * last values (Folio.retire): a freed folio stays readable to whatever still holds it (stale
 * migration entries and reports look at freed folios). Nothing may keep a freed folio's slot
 * number: present PTEs and the LRU name live folios only.
 */
export class FolioStore {
  id: Float64Array<ArrayBuffer>;
  /** _refcount and _mapcount, atomic_t in the kernel: 32-bit here too. */
  refcount: Int32Array<ArrayBuffer>;
  mapcount: Int32Array<ArrayBuffer>;
  flags: Int32Array<ArrayBuffer>;
  data: Float64Array<ArrayBuffer>;
  index: Float64Array<ArrayBuffer>;
  lruPrev: Int32Array<ArrayBuffer>;
  lruNext: Int32Array<ArrayBuffer>;
  /** folio->mapping as a number: 0 for none, else the index in `mappings` (mappingOf). */
  private mappingNo: Int32Array<ArrayBuffer>;
  /** The distinct mappings (anon_vmas, file ids), each once; entry 0 unused. */
  private readonly mappings: (AnonVma | number)[] = [0];
  private readonly mappingNos = new Map<AnonVma | number, number>();
  /** The handles of live folios that have one, by slot. */
  private readonly handles = new Map<number, Folio>();
  /** Slots of freed folios, the most recently freed last. */
  private readonly free: number[] = [];
  /** Slots ever used (the high-water mark). */
  private top = 0;

  constructor(capacity = 1024) {
    this.id = new Float64Array(capacity);
    this.refcount = new Int32Array(capacity);
    this.mapcount = new Int32Array(capacity);
    this.flags = new Int32Array(capacity);
    this.data = new Float64Array(capacity);
    this.index = new Float64Array(capacity);
    this.lruPrev = new Int32Array(capacity);
    this.lruNext = new Int32Array(capacity);
    this.mappingNo = new Int32Array(capacity);
  }

  /** Folios alive (slots in use). */
  get live(): number {
    return this.top - this.free.length;
  }

  /** Slots ever used at once: what the columns hold. */
  get slotsUsed(): number {
    return this.top;
  }

  /**
   * A new folio's slot: refcount 1, on `node`, everything else zero. A node number the flags
   * cannot hold is kept on the slot's handle, made here.
   */
  alloc(id: number, node: number): number {
    let s = this.free.pop();
    if (s === undefined) {
      s = this.top;
      if (s === this.flags.length) this.grow();
      this.top = s + 1;
    }
    this.id[s] = id;
    this.refcount[s] = 1;
    this.mapcount[s] = 0;
    this.flags[s] = packsNode(node) ? node << NODE_SHIFT : 0;
    this.data[s] = 0;
    this.index[s] = 0;
    this.lruPrev[s] = NO_SLOT;
    this.lruNext[s] = NO_SLOT;
    this.mappingNo[s] = 0;
    if (!packsNode(node)) this.folio(s).node = node;
    return s;
  }

  /** The handle of the live folio in slot `s` (made on first use, then always the same object). */
  folio(s: number): Folio {
    const h = this.handles.get(s);
    if (h !== undefined) return h;
    // A freed slot keeps FOLIO_FREED in its flags until it is allocated again.
    if (!(s >= 0 && s < this.top) || (this.flags[s]! & FOLIO_FREED) !== 0) throw new Error(`no folio in slot ${s}`);
    return new Folio(this.id[s]!, 0, this, s);
  }

  /** Folio's constructor: `f` is the handle of its slot. */
  adopt(f: Folio, s: number): void {
    this.handles.set(s, f);
  }

  /**
   * The folio in slot `s` was freed: its handle, if any, keeps its last values, and the slot
   * is free for the next allocation.
   */
  release(s: number): void {
    this.flags[s] = this.flags[s]! | FOLIO_FREED;
    const h = this.handles.get(s);
    if (h !== undefined) {
      h.retire();
      this.handles.delete(s);
    }
    this.free.push(s);
  }

  /** folio->mapping of slot `s`: its anon_vma, its file id, or null. */
  mappingOf(s: number): AnonVma | number | null {
    const n = this.mappingNo[s]!;
    return n === 0 ? null : this.mappings[n]!;
  }

  setMapping(s: number, v: AnonVma | number | null): void {
    let n = 0;
    if (v !== null) {
      n = this.mappingNos.get(v) ?? 0;
      if (n === 0) {
        n = this.mappings.length;
        this.mappings.push(v);
        this.mappingNos.set(v, n);
      }
    }
    this.mappingNo[s] = n;
  }

  /**
   * Grow every column eightfold. Only the slots in use are copied: the rest of a new typed
   * array is memory the kernel gives as zero pages on first touch, so a large step costs no
   * resident memory until slots are used, and fewer steps mean fewer copies.
   */
  private grow(): void {
    const cap = this.flags.length * 8;
    const i32 = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    const f64 = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.id = f64(this.id);
    this.refcount = i32(this.refcount);
    this.mapcount = i32(this.mapcount);
    this.flags = i32(this.flags);
    this.lruPrev = i32(this.lruPrev);
    this.lruNext = i32(this.lruNext);
    this.mappingNo = i32(this.mappingNo);
    this.data = f64(this.data);
    this.index = f64(this.index);
  }
}

/** Whether `node` fits the node bits of the flags. */
function packsNode(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v < NODE_UNPACKED && !Object.is(v, -0);
}

/** The store of folios made outside a Kernel (tests of the model's parts). */
export const LOOSE_FOLIOS = new FolioStore();

/** Record an event in the global history ring (kept for invariant reports). */
function ringNote(id: number, refcount: number, mapcount: number, why: string): void {
  const i = ringPos;
  ringId[i] = id;
  ringRef[i] = refcount;
  ringMap[i] = mapcount;
  ringWhy[i] = why;
  ringPos = (i + 1) % RING;
}

/** Folio.note() of the folio in slot `s`. */
export function noteSlot(st: FolioStore, s: number, why: string): void {
  ringNote(st.id[s]!, st.refcount[s]!, st.mapcount[s]!, why);
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
  /** A freed folio's last values (Folio.retire), its slot given back. */
  refcount = 0;
  mapcount = 0;
  flags = 0;
  data = 0;
  index = 0;
  mapping: AnonVma | number | null = null;
}

export class Folio {
  private x: FolioExtra | null = null;
  /** The folio's slot in `store`, or NO_SLOT once freed (retire): its values are then in `x`. */
  private s: number;

  private extra(): FolioExtra {
    return (this.x ??= new FolioExtra());
  }

  /**
   * A new folio `id` on `node` in `store` (a slot of its own), or, with `slot`, the handle of
   * that live slot (FolioStore.folio).
   */
  constructor(
    readonly id: number,
    node: number,
    readonly store: FolioStore = LOOSE_FOLIOS,
    slot = NO_SLOT,
  ) {
    this.s = slot === NO_SLOT ? store.alloc(id, 0) : slot;
    store.adopt(this, this.s);
    if (slot === NO_SLOT) this.node = node;
  }

  /** The folio's slot in its store (what a present PTE and the LRU name); NO_SLOT once freed. */
  get slot(): number {
    return this.s;
  }

  /**
   * The slot of a folio that is to be named by a PTE or the LRU, which only live folios may be:
   * for a freed one that is an emulator bug, reported with the folio's history.
   */
  liveSlot(what: string): number {
    if (this.s === NO_SLOT) throw new InvariantError(`a freed folio ${what}`, `folio ${this.id}`, folioHistory(this.id));
    return this.s;
  }

  /** FolioStore.release(): the folio was freed and its slot goes back; keep the last values. */
  retire(): void {
    const s = this.s;
    if (s === NO_SLOT) return;
    const st = this.store;
    const x = this.extra();
    x.refcount = st.refcount[s]!;
    x.mapcount = st.mapcount[s]!;
    x.flags = st.flags[s]!;
    x.data = st.data[s]!;
    x.index = st.index[s]!;
    x.mapping = st.mappingOf(s);
    this.s = NO_SLOT;
  }

  get refcount(): number {
    const s = this.s;
    return s !== NO_SLOT ? this.store.refcount[s]! : this.x!.refcount;
  }

  set refcount(v: number) {
    const s = this.s;
    if (s !== NO_SLOT) this.store.refcount[s] = v;
    else this.x!.refcount = v;
  }

  get mapcount(): number {
    const s = this.s;
    return s !== NO_SLOT ? this.store.mapcount[s]! : this.x!.mapcount;
  }

  set mapcount(v: number) {
    const s = this.s;
    if (s !== NO_SLOT) this.store.mapcount[s] = v;
    else this.x!.mapcount = v;
  }

  /** Page flags (PG_*), FOLIO_FREED and the node number, as page->flags. */
  get flags(): number {
    const s = this.s;
    return s !== NO_SLOT ? this.store.flags[s]! : this.x!.flags;
  }

  set flags(v: number) {
    const s = this.s;
    if (s !== NO_SLOT) this.store.flags[s] = v;
    else this.x!.flags = v;
  }

  /** Data version held (integrity oracle encoding, see oracle.ts). */
  get data(): number {
    const s = this.s;
    return s !== NO_SLOT ? this.store.data[s]! : this.x!.data;
  }

  set data(v: number) {
    const s = this.s;
    if (s !== NO_SLOT) this.store.data[s] = v;
    else this.x!.data = v;
  }

  /** Page index: linear page offset for anon rmap, file page offset for file folios. */
  get index(): number {
    const s = this.s;
    return s !== NO_SLOT ? this.store.index[s]! : this.x!.index;
  }

  set index(v: number) {
    const s = this.s;
    if (s !== NO_SLOT) this.store.index[s] = v;
    else this.x!.index = v;
  }

  /** folio->mapping: the anon_vma, the file id, or null. */
  private get mapping(): AnonVma | number | null {
    const s = this.s;
    return s !== NO_SLOT ? this.store.mappingOf(s) : this.x!.mapping;
  }

  private set mapping(v: AnonVma | number | null) {
    const s = this.s;
    if (s !== NO_SLOT) this.store.setMapping(s, v);
    else this.x!.mapping = v;
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
    // The count is 32-bit, as the kernel's atomic_t (which warns and refuses a pin near overflow).
    if (this.refcount + n > 0x7fffffff) throw new InvariantError(`refcount overflow (${why})`, `folio ${this.id}`, folioHistory(this.id));
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
    ringNote(this.id, this.refcount, this.mapcount, why);
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
