/**
 * The state of every live folio of a replay as one slot of typed arrays (a structure of arrays,
 * the way the kernel keeps struct page in one array indexed by pfn): id, refcount, mapcount,
 * flags (with the node in the upper bits, as page->flags), data version, index, LRU links, the
 * cycle the folio lock was taken, and folio->mapping. A fault that maps a new anonymous folio
 * (do_anonymous_page) takes a slot and makes no object: the millions of folios of a fault-heavy
 * replay are not objects for the garbage collector to copy, promote and trace (measured: a
 * fault-dominated replay spent a third of its time on the Folio objects it kept).
 *
 * Slot life: alloc() takes a free slot (the most recently freed first) or a new one; release()
 * marks it freed (FOLIO_FREED), lets the slot's handle (folio.ts), if it has one, keep the last
 * values, and gives the slot back. Nothing may keep a freed folio's slot number: present PTEs and
 * the LRU name live folios only. The store has one history ring (folio_history.ts) for invariant
 * reports.
 */
import { InvariantError } from '../../util/errors.js';
import { FolioHistory } from './folio_history.js';

/**
 * Not a kernel page flag: the folio went back to the allocator (its page would be PageBuddy on a
 * free list). Kept in `flags` so a folio carries no separate boolean.
 */
export const FOLIO_FREED = 1 << 15;
/** Bits of `flags` below the node number (page flags and FOLIO_FREED). */
export const NODE_SHIFT = 16;
export const PAGE_FLAGS_MASK = (1 << NODE_SHIFT) - 1;
/** Node field value meaning "the node is kept in the store's side table" (13 bits keep flags a small integer). */
export const NODE_UNPACKED = (1 << 13) - 1;
/** A slot number meaning "no folio" (LRU ends, a freed folio's handle). */
export const NO_SLOT = -1;

/** folio->mapping: an anon_vma (an object, see mm_types.ts folio_anon_vma), a file id, or nothing. */
export type FolioMapping = object | number | null;

/** What the store needs of a slot's handle (folio.ts Folio): keep the last values when freed. */
export interface FolioHandle {
  retire(): void;
}

/** Whether `node` fits the node bits of the flags. */
export function packsNode(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v < NODE_UNPACKED && !Object.is(v, -0);
}

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
  /** Cycle at which the folio lock was taken (hold-time accounting, locks/folio_lock.ts). */
  lockedAt: Float64Array<ArrayBuffer>;
  /** folio->mapping as a number: 0 for none, else the index in `mappings` (mappingOf). */
  private mappingNo: Int32Array<ArrayBuffer>;
  /** The distinct mappings (anon_vmas, file ids), each once; entry 0 unused. */
  private readonly mappings: FolioMapping[] = [0];
  private readonly mappingNos = new Map<object | number, number>();
  /** Node numbers too large for the flags, by slot. */
  private readonly bigNodes = new Map<number, number>();
  /** The handles of live folios that have one, by slot (folio.ts folioAt). */
  readonly handles = new Map<number, FolioHandle>();
  /** Slots of freed folios, the most recently freed last. */
  private readonly free: number[] = [];
  /** Slots ever used (the high-water mark). */
  private top = 0;

  constructor(
    capacity = 1024,
    /** Where the store's folios record their events (a freed folio's one-slot store shares its owner's). */
    readonly history = new FolioHistory(),
  ) {
    this.id = new Float64Array(capacity);
    this.refcount = new Int32Array(capacity);
    this.mapcount = new Int32Array(capacity);
    this.flags = new Int32Array(capacity);
    this.data = new Float64Array(capacity);
    this.index = new Float64Array(capacity);
    this.lruPrev = new Int32Array(capacity);
    this.lruNext = new Int32Array(capacity);
    this.lockedAt = new Float64Array(capacity);
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

  /** True when slot `s` holds a live folio. */
  isLive(s: number): boolean {
    return s >= 0 && s < this.top && (this.flags[s]! & FOLIO_FREED) === 0;
  }

  /** A new folio's slot: refcount 1, on `node`, everything else zero. */
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
    this.data[s] = 0;
    this.index[s] = 0;
    this.lruPrev[s] = NO_SLOT;
    this.lruNext[s] = NO_SLOT;
    this.lockedAt[s] = 0;
    this.mappingNo[s] = 0;
    // setNode() for a fresh slot, inline (the fault path allocates here).
    if (packsNode(node)) this.flags[s] = node << NODE_SHIFT;
    else {
      this.flags[s] = NODE_UNPACKED << NODE_SHIFT;
      this.bigNodes.set(s, node);
    }
    return s;
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
    if (this.bigNodes.size > 0) this.bigNodes.delete(s);
    this.free.push(s);
  }

  /** Copy slot `s` of `from` into slot 0 of this (a one-slot store keeping a freed folio's values). */
  keep(from: FolioStore, s: number): void {
    this.top = Math.max(this.top, 1);
    this.id[0] = from.id[s]!;
    this.refcount[0] = from.refcount[s]!;
    this.mapcount[0] = from.mapcount[s]!;
    this.flags[0] = from.flags[s]!;
    this.data[0] = from.data[s]!;
    this.index[0] = from.index[s]!;
    this.lruPrev[0] = this.lruNext[0] = NO_SLOT;
    this.lockedAt[0] = from.lockedAt[s]!;
    this.setMapping(0, from.mappingOf(s));
    this.setNode(0, from.nodeOf(s));
  }

  /** folio_nid(): the node in the flags' upper bits, or the side table for a large number. */
  nodeOf(s: number): number {
    const n = this.flags[s]! >>> NODE_SHIFT;
    return n === NODE_UNPACKED ? this.bigNodes.get(s)! : n;
  }

  setNode(s: number, v: number): void {
    const packed = packsNode(v) ? v : NODE_UNPACKED;
    if (packed === NODE_UNPACKED) this.bigNodes.set(s, v);
    this.flags[s] = (this.flags[s]! & PAGE_FLAGS_MASK) | (packed << NODE_SHIFT);
  }

  /** folio->mapping of slot `s`: its anon_vma, its file id, or null. */
  mappingOf(s: number): FolioMapping {
    const n = this.mappingNo[s]!;
    return n === 0 ? null : this.mappings[n]!;
  }

  setMapping(s: number, v: FolioMapping): void {
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

  /** Record an event of the folio in slot `s` in the history ring. */
  note(s: number, why: string): void {
    this.history.note(this.id[s]!, this.refcount[s]!, this.mapcount[s]!, why);
  }

  /** The recent history of the folio in slot `s` (invariant reports). */
  historyOf(s: number): string[] {
    return this.history.of(this.id[s]!);
  }

  /** A map count change of the folio in slot `s` (folio_add_*_rmap, folio_remove_rmap); below zero is a bug. */
  mapDelta(s: number, n: number, why: string): void {
    const m = (this.mapcount[s] = this.mapcount[s]! + n);
    this.note(s, why);
    if (m < 0) throw new InvariantError('mapcount below zero', `folio ${this.id[s]}`, this.historyOf(s));
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
    this.lockedAt = f64(this.lockedAt);
  }
}
