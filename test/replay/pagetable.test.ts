/**
 * PageTables: lookup() and ensure() give the same table for a page whichever was called last
 * (they remember the last table found), and never a table for a page no table covers.
 */
import { describe, expect, it } from 'vitest';
import { PTE_PRESENT, PTE_SWAP, PTRS_PER_PTE, PageTables } from '../../src/replay/mm/pagetable.js';
import type { SpinLock } from '../../src/replay/locks/spinlock.js';

const pt = (): PageTables => new PageTables(() => ({}) as unknown as SpinLock);

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
    t.set(1, PTE_PRESENT, 0, null, 0);
    expect(t.swap[1]).toBe(0);
    t.set(2, PTE_SWAP, 0, null, 17);
    expect([t.swap[1], t.swap[2], t.used]).toEqual([0, 17, 2]);
    t.clear(2);
    expect([t.swap[2], t.used]).toEqual([0, 1]);
    // another table's column is untouched
    expect(pt().ensure(0).swap[2]).toBe(0);
  });
});
