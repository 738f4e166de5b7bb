/**
 * Page tables: PTE tables of 512 entries, each with its own PTL (split PTE locks, as
 * USE_SPLIT_PTE_PTLOCKS), kept in a map from table number to table. A PTE is in one of four
 * states (none, present, swap entry, migration entry); columns are typed arrays so the hit path
 * reads two numbers.
 *
 * PTE states and legal transitions:
 *   NONE      -> PRESENT (fault maps a folio or the zero page)
 *   PRESENT   -> NONE (zap), SWAP (reclaim unmaps after add_to_swap), MIGRATION (try_to_migrate),
 *                PRESENT (COW replaces the folio, write-protect, make writable)
 *   SWAP      -> PRESENT (do_swap_page), NONE (zap)
 *   MIGRATION -> PRESENT (remove_migration_ptes installs the new or, on failure, the old folio),
 *                NONE (zap)
 */
import { folioAt, type Folio } from './folio.js';
import type { FolioStore } from './folio_store.js';
import type { SpinLock } from '../locks/spinlock.js';
import { modPow2 } from '../../util/math.js';

export const PTE_NONE = 0;
export const PTE_PRESENT = 1;
export const PTE_SWAP = 2;
export const PTE_MIGRATION = 3;

/** PTE bits (present and migration entries). */
export const PTE_WRITE = 1;
export const PTE_DIRTY = 2;
/** A migration entry made from a writable PTE (is_writable_migration_entry). */
export const PTE_MIG_WRITE = 4;
/** pte_protnone(): present but inaccessible (the VMA is PROT_NONE); every access faults. */
export const PTE_PROTNONE = 8;
/**
 * pte_young() (x86 _PAGE_ACCESSED): set in every PTE a fault installs (mk_pte with
 * vm_page_prot, whose x86 protections include _PAGE_ACCESSED: "all mapped folios start out with
 * page table references from the instantiating fault") and by the CPU on every access; cleared by
 * reclaim's folio_referenced(); clear in a fork child's copy (copy_present_pte: pte_mkold) and on
 * a migrated page's restored PTE (remove_migration_pte: pte_mkold; 6.1+ can remember young in the
 * migration entry, 2e3468778dbe, not modelled).
 */
export const PTE_YOUNG = 16;

export const PTRS_PER_PTE = 512;

/**
 * The swap column of every table that never held a swap entry: all zeros, shared, and never
 * written (set() gives a table its own column at its first nonzero slot), so a table that only
 * ever maps folios does not carry 4 KiB of zeros.
 */
const NO_SWAP = new Float64Array(PTRS_PER_PTE);

export class PteTable {
  readonly kind = new Uint8Array(PTRS_PER_PTE);
  readonly bits = new Uint8Array(PTRS_PER_PTE);
  private swapCol = NO_SWAP;
  /**
   * The folio of present entries, as its slot in the replay's FolioStore (a fault maps a new
   * folio without making an object for it); read it with folioAt().
   */
  readonly slot = new Int32Array(PTRS_PER_PTE);
  /**
   * The folio of migration entries (made at the first one): kept as the object, since a stale
   * migration entry can outlive its folio (stale_migration_entry.ts reads the freed folio).
   */
  private mig: (Folio | null)[] | null = null;
  /** Entries not NONE, so empty tables can be noticed. */
  used = 0;

  constructor(
    readonly ptl: SpinLock,
    readonly folios: FolioStore,
  ) {}

  /** Swap slot of swap entries (read-only: entries are written through set()). */
  get swap(): Float64Array {
    return this.swapCol;
  }

  /** The folio of a present or migration entry, else null. */
  folioAt(i: number): Folio | null {
    const kind = this.kind[i];
    if (kind === PTE_PRESENT) return folioAt(this.folios, this.slot[i]!);
    if (kind === PTE_MIGRATION) return this.mig![i]!;
    return null;
  }

  /**
   * Write an entry (the state machine above is enforced by the paths; this is the store). A
   * present or migration entry names its folio; other entries none.
   */
  set(i: number, kind: number, bits: number, folio: Folio | null, swap: number): void {
    if ((kind === PTE_PRESENT || kind === PTE_MIGRATION) !== (folio !== null)) {
      throw new Error(`PTE of kind ${kind} ${folio === null ? 'without' : 'with'} a folio`);
    }
    if (kind === PTE_PRESENT) {
      if (folio!.store !== this.folios) throw new Error(`folio ${folio!.id} is not of this replay`);
      this.setSlot(i, bits, folio!.liveSlot('mapped by a PTE'));
    } else this.setEntry(i, kind, bits);
    if (kind === PTE_MIGRATION) (this.mig ??= new Array<Folio | null>(PTRS_PER_PTE).fill(null))[i] = folio;
    if (this.swapCol === NO_SWAP) {
      // The shared column already reads +0 here.
      if (Object.is(swap, 0)) return;
      this.swapCol = new Float64Array(PTRS_PER_PTE);
    }
    this.swapCol[i] = swap;
  }

  /** A present entry mapping the folio in slot `s` (its swap column is left as is: zero). */
  setSlot(i: number, bits: number, s: number): void {
    this.setEntry(i, PTE_PRESENT, bits);
    this.slot[i] = s;
    if (this.swapCol !== NO_SWAP) this.swapCol[i] = 0;
  }

  private setEntry(i: number, kind: number, bits: number): void {
    const was = this.kind[i];
    if (was === PTE_NONE && kind !== PTE_NONE) this.used++;
    else if (was !== PTE_NONE && kind === PTE_NONE) this.used--;
    if (was === PTE_MIGRATION) this.mig![i] = null;
    this.kind[i] = kind;
    this.bits[i] = bits;
  }

  clear(i: number): void {
    this.set(i, PTE_NONE, 0, null, 0);
  }
}

/**
 * One address space's page tables. A table, once allocated, stays (the model never frees page
 * tables), so the last table found is remembered: a fault looks its table up in handle_mm_fault
 * and again in do_anonymous_page / do_fault, and consecutive faults mostly share a table.
 */
export class PageTables {
  /** Tables by table number; only ensure() adds to it and nothing removes from it. */
  readonly tables = new Map<number, PteTable>();
  private lastNo = NaN;
  private last: PteTable | undefined = undefined;

  constructor(
    private readonly makePtl: () => SpinLock,
    private readonly folios: FolioStore,
  ) {}

  /** The PTE table covering page `vpn`, or undefined (pte_offset_map finds no table). */
  lookup(vpn: number): PteTable | undefined {
    const k = Math.floor(vpn / PTRS_PER_PTE);
    if (k === this.lastNo) return this.last;
    const t = this.tables.get(k);
    if (t !== undefined) {
      this.lastNo = k;
      this.last = t;
    }
    return t;
  }

  /** The PTE table covering `vpn`, allocated if absent (__pte_alloc). */
  ensure(vpn: number): PteTable {
    const k = Math.floor(vpn / PTRS_PER_PTE);
    if (k === this.lastNo) return this.last!;
    let t = this.tables.get(k);
    if (t === undefined) {
      t = new PteTable(this.makePtl(), this.folios);
      this.tables.set(k, t);
    }
    this.lastNo = k;
    this.last = t;
    return t;
  }
}

/** Index of `vpn` within its PTE table. */
export function pteIndex(vpn: number): number {
  return modPow2(vpn, PTRS_PER_PTE);
}

/**
 * The non-empty PTE tables covering pages [firstVpn, endVpn), each with the part of the range it
 * covers: the pmd step of walk_page_range() that zap_pte_range, change_pte_range and
 * madvise_cold_or_pageout_pte_range share. Tables that are absent or empty are skipped.
 */
export function* pteTableRanges(pt: PageTables, firstVpn: number, endVpn: number): Generator<[PteTable, number, number]> {
  let vpn = firstVpn;
  while (vpn < endVpn) {
    const tableEnd = Math.min(endVpn, (Math.floor(vpn / PTRS_PER_PTE) + 1) * PTRS_PER_PTE);
    const t = pt.lookup(vpn);
    if (t !== undefined && t.used > 0) yield [t, vpn, tableEnd];
    vpn = tableEnd;
  }
}
