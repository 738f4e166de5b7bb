/**
 * PageTables: lookup() and ensure() give the same table for a page whichever was called last
 * (they remember the last table found), and never a table for a page no table covers.
 */
import { describe, expect, it } from 'vitest';
import { PTE_MIGRATION, PTE_PRESENT, PTE_SWAP, PTRS_PER_PTE, PageTables } from '../../src/replay/mm/pagetable.js';
import type { SpinLock } from '../../src/replay/locks/spinlock.js';
import { Folio } from '../../src/replay/mm/folio.js';
import { FolioStore } from '../../src/replay/mm/folio_store.js';

/** The store the tables' folios live in (one replay's). */
const STORE = new FolioStore();
const pt = (): PageTables => new PageTables(() => ({}) as unknown as SpinLock, STORE);

describe('PageTables', () => {
  it('lookup and ensure agree across tables, in any order', () => {
    const p = pt();
    expect(p.lookup(5)).toBeUndefined();
    const a = p.ensure(5);
    expect(p.lookup(PTRS_PER_PTE - 1)).toBe(a);
    expect(p.lookup(PTRS_PER_PTE)).toBeUndefined();
    expect(p.lookup(0)).toBe(a);
    const b = p.ensure(3 * PTRS_PER_PTE + 1);
    expect(b).not.toBe(a);
    expect(p.lookup(5)).toBe(a);
    expect(p.ensure(3 * PTRS_PER_PTE)).toBe(b);
    expect(p.lookup(2 * PTRS_PER_PTE)).toBeUndefined();
    expect(p.lookup(3 * PTRS_PER_PTE + 7)).toBe(b);
    expect(p.ensure(0)).toBe(a);
    expect([...p.tables.keys()]).toEqual([0, 3]);
  });

  it('a table reads swap slot 0 until a swap entry is stored, then the slot', () => {
    const t = pt().ensure(0);
    t.set(1, PTE_PRESENT, 0, new Folio(1, 0, STORE), 0);
    expect(t.swap[1]).toBe(0);
    t.set(2, PTE_SWAP, 0, null, 17);
    expect([t.swap[1], t.swap[2], t.used]).toEqual([0, 17, 2]);
    t.clear(2);
    expect([t.swap[2], t.used]).toEqual([0, 1]);
    // another table's column is untouched
    expect(pt().ensure(0).swap[2]).toBe(0);
  });

  it('present entries name their folio by slot, migration entries by the object, others none', () => {
    const t = pt().ensure(0);
    const f = new Folio(1, 0, STORE);
    const g = new Folio(2, 0, STORE);
    t.set(3, PTE_PRESENT, 0, f, 0);
    expect(t.folioAt(3)).toBe(f);
    t.set(3, PTE_MIGRATION, 0, g, 0);
    expect(t.folioAt(3)).toBe(g);
    t.set(3, PTE_PRESENT, 0, f, 0);
    expect(t.folioAt(3)).toBe(f);
    t.set(3, PTE_SWAP, 0, null, 5);
    expect(t.folioAt(3)).toBeNull();
    expect(t.folioAt(4)).toBeNull();
    expect(() => t.set(4, PTE_PRESENT, 0, null, 0)).toThrow(/without a folio/);
    expect(() => t.set(4, PTE_SWAP, 0, f, 1)).toThrow(/with a folio/);
    // nor a freed one
    const gone = new Folio(4, 0, STORE);
    STORE.release(gone.slot);
    expect(() => t.set(4, PTE_PRESENT, 0, gone, 0)).toThrow(/a freed folio mapped by a PTE/);
    // a folio of another replay's store cannot be mapped here
    expect(() => t.set(4, PTE_PRESENT, 0, new Folio(3, 0, new FolioStore()), 0)).toThrow(/not of this replay/);
  });
});
