/**
 * The integrity oracle (docs/design.md section 2): what each process should see, kept apart from the
 * mechanism that decides what it does see.
 *
 * A *view* is a logical memory: each process's private memory has one (fork gives the child a
 * snapshot of the parent's), and each shared object (MAP_SHARED anonymous region, file) has one.
 * A write through a view creates a version `view * 2^32 + seq`, seq counting that view's writes,
 * so a version names its writer without per-write storage. A version is in view P's *lineage*
 * when P wrote it, or an ancestor wrote it before the fork that led to P. Version 0 is the zero
 * page's content and in every lineage.
 *
 * Reading data d where P expects version v: d == v is fine; d in P's lineage but not v is stale
 * data, a lost write; d from outside P's lineage is a leak.
 */
import { PTRS_PER_PTE } from './pagetable.js';
import { modPow2 } from '../../util/math.js';

const SEQ_SPAN = 2 ** 32;

class View {
  seq = 0;
  readonly pages = new Map<number, Float64Array>();
  /** One-entry cache of `pages` (accesses cluster; a chunk's array is never replaced). */
  lastChunk = -1;
  lastArr: Float64Array | undefined = undefined;
  constructor(
    readonly id: number,
    readonly parent: View | null,
    /** Parent's seq at the fork that created this view. */
    readonly forkSeq: number,
  ) {}
}

/** Outcome of checking data against expectations. */
export const OK = 0;
export const LOST_WRITE = 1;
export const LEAK = 2;

export class Oracle {
  private readonly views: View[] = [new View(0, null, 0)];

  /** A new root view (a process not created by fork, or a shared object). */
  newView(): number {
    const v = new View(this.views.length, null, 0);
    this.views.push(v);
    return v.id;
  }

  /** fork(): a child view starting as a snapshot of `parent`'s. */
  forkView(parent: number): number {
    const p = this.views[parent]!;
    const v = new View(this.views.length, p, p.seq);
    for (const [k, arr] of p.pages) v.pages.set(k, arr.slice());
    this.views.push(v);
    return v.id;
  }

  /** The version `view` expects at key (a page number for private views, an index for objects). */
  expected(view: number, key: number): number {
    const arr = this.chunk(this.views[view]!, Math.floor(key / PTRS_PER_PTE));
    return arr === undefined ? 0 : arr[modPow2(key, PTRS_PER_PTE)]!;
  }

  /** The array of chunk `c` of view `v`, if any writes reached it. */
  private chunk(v: View, c: number): Float64Array | undefined {
    if (v.lastChunk === c) return v.lastArr;
    const arr = v.pages.get(c);
    if (arr !== undefined) {
      v.lastChunk = c;
      v.lastArr = arr;
    }
    return arr;
  }

  /**
   * The array of chunk `c` (keys c * PTRS_PER_PTE ..) of `view`, or undefined while no write
   * has reached it. Once it exists it is never replaced, so a caller may keep it.
   */
  chunkOf(view: number, c: number): Float64Array | undefined {
    return this.chunk(this.views[view]!, c);
  }

  /**
   * write() at key `c * PTRS_PER_PTE + i` when the caller holds `arr`, chunk `c`'s array
   * (chunkOf): the same version and the same store.
   */
  writeIn(view: number, arr: Float64Array, i: number): number {
    const v = this.views[view]!;
    const version = v.id * SEQ_SPAN + ++v.seq;
    arr[i] = version;
    return version;
  }

  /** A write through `view` at key: returns the new version (to store in the folio). */
  write(view: number, key: number): number {
    const v = this.views[view]!;
    const version = v.id * SEQ_SPAN + ++v.seq;
    this.store(v, key, version);
    return version;
  }

  /** Reset expectations over [key, key+n) to zero content (munmap, MADV_DONTNEED, new mmap). */
  reset(view: number, key: number, n: number): void {
    const v = this.views[view]!;
    const end = key + n;
    if (key < 0 || !Number.isInteger(key) || !Number.isInteger(n)) {
      for (let k = key; k < end; k++) {
        const arr = v.pages.get(Math.floor(k / PTRS_PER_PTE));
        if (arr !== undefined) arr[modPow2(k, PTRS_PER_PTE)] = 0;
      }
      return;
    }
    // One lookup per chunk of PTRS_PER_PTE keys (the same stores as key by key).
    for (let k = key; k < end; ) {
      const chunk = Math.floor(k / PTRS_PER_PTE);
      const stop = Math.min(end, (chunk + 1) * PTRS_PER_PTE);
      const arr = v.pages.get(chunk);
      if (arr !== undefined) arr.fill(0, k - chunk * PTRS_PER_PTE, stop - chunk * PTRS_PER_PTE);
      k = stop;
    }
  }

  /** Whether key was ever written through view (private file pages fall back to the file). */
  written(view: number, key: number): boolean {
    return this.expected(view, key) !== 0;
  }

  private store(v: View, key: number, version: number): void {
    const k = Math.floor(key / PTRS_PER_PTE);
    let arr = this.chunk(v, k);
    if (arr === undefined) {
      arr = new Float64Array(PTRS_PER_PTE);
      v.pages.set(k, arr);
    }
    arr[modPow2(key, PTRS_PER_PTE)] = version;
  }

  /** True when `data` is in `view`'s lineage. */
  inLineage(view: number, data: number): boolean {
    if (data === 0) return true;
    const dv = Math.floor(data / SEQ_SPAN);
    const ds = data % SEQ_SPAN;
    let limit = Infinity;
    for (let v: View | null = this.views[view]!; v !== null; v = v.parent) {
      if (v.id === dv) return ds <= limit;
      limit = v.forkSeq;
    }
    return false;
  }

  /** Classify `data` read where `expected` was due, for `view`. */
  check(view: number, expected: number, data: number): number {
    if (data === expected) return OK;
    return this.inLineage(view, data) ? LOST_WRITE : LEAK;
  }

  /**
   * A gup reference's read (not coherent): data must be in the view's lineage and no older than
   * `atRef`, the version expected when the reference was taken.
   */
  checkSnapshot(view: number, atRef: number, data: number): number {
    if (data === atRef) return OK;
    if (!this.inLineage(view, data)) return LEAK;
    if (data === 0) return LOST_WRITE;
    const sameView = Math.floor(data / SEQ_SPAN) === Math.floor(atRef / SEQ_SPAN);
    return !sameView || data % SEQ_SPAN >= atRef % SEQ_SPAN ? OK : LOST_WRITE;
  }
}
