/**
 * The Folio's storage: the numeric state in a FolioStore slot (typed-array columns), `freed` and
 * the node in the flags, folio->mapping interned, the rarely set fields in a side object
 * allocated on first use. Whatever the storage, every field reads back exactly what was stored
 * and reads its default until set; a slot's handle is one object however it is reached.
 */
import { describe, expect, it } from 'vitest';
import type { AnonVma } from '../../src/replay/mm/mm_types.js';
import { Folio, PG_ANON_EXCLUSIVE, PG_DIRTY, PG_LOCKED, PG_LRU, folioAt } from '../../src/replay/mm/folio.js';
import { FolioStore } from '../../src/replay/mm/folio_store.js';

/** A folio in a store of its own. */
const newFolio = (id: number, node: number): Folio => new Folio(id, node, new FolioStore());
/** FolioStore.release() of the folio's slot, as the page allocator frees it. */
const release = (f: Folio): void => f.store.release(f.slot);

describe('Folio storage', () => {
  it('report and lock fields read their defaults until set', () => {
    const f = newFolio(1, 0);
    expect([f.pinCount, f.gupCount, f.waitRefs, f.swapSlot]).toEqual([0, 0, 0, -1]);
    expect([f.data, f.index, f.file, f.refcount, f.mapcount, f.freed]).toEqual([0, 0, -1, 1, 0, false]);
    // Storing a default does not make the others read differently.
    f.swapSlot = -1;
    f.pinCount = 0;
    expect([f.pinCount, f.gupCount, f.waitRefs, f.swapSlot]).toEqual([0, 0, 0, -1]);
  });

  it('each rarely set field holds its own value', () => {
    const f = newFolio(2, 1);
    f.pinCount++;
    f.gupCount += 2;
    f.waitRefs = 3;
    f.swapSlot = 7;
    expect([f.pinCount, f.gupCount, f.waitRefs, f.swapSlot]).toEqual([1, 2, 3, 7]);
    f.pinCount--;
    f.swapSlot = -1;
    expect([f.pinCount, f.gupCount, f.waitRefs, f.swapSlot]).toEqual([0, 2, 3, -1]);
    expect(f.waitqIfAny).toBeNull();
    expect(f.waitq).toBe(f.waitq);
    expect(f.waitqIfAny).toBe(f.waitq);
    expect(newFolio(3, 0).waitq).not.toBe(f.waitq);
  });

  it('data and index read back exactly what was stored', () => {
    const values = [
      0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 5 * 2 ** 32 + 123456, 2 ** 35 + 17, 2 ** 53 - 1,
      -1, -(2 ** 31), -(2 ** 40) - 3, 2 ** 60, 2 ** 61, -(2 ** 61), 1.5, -0, NaN, Infinity, -Infinity, Number.MAX_VALUE,
      2 ** 44 - 1, 2 ** 44, 2 ** 45 + 3, 16382 * 2 ** 32 + 2 ** 31 + 5, 16383 * 2 ** 32 + 7, 16383 * 2 ** 32 + 2 ** 31, 2 ** 46 + 1,
    ];
    const f = newFolio(4, 0);
    for (const v of values) {
      f.data = v;
      f.index = v;
      expect(Object.is(f.data, v)).toBe(true);
      expect(Object.is(f.index, v)).toBe(true);
      // and back to a value that splits, each without disturbing the other
      f.data = 2 ** 32 + 9;
      expect(f.data).toBe(2 ** 32 + 9);
      expect(Object.is(f.index, v)).toBe(true);
      f.index = 2 ** 35 + 11;
      f.data = v;
      expect(f.index).toBe(2 ** 35 + 11);
      expect(Object.is(f.data, v)).toBe(true);
    }
  });

  it('the node reads back whatever the flags do', () => {
    for (const node of [0, 1, 3, 8190, 8191, 8192, 2 ** 31, 1.5, -1, -0]) {
      const f = newFolio(6, node);
      expect(Object.is(f.node, node)).toBe(true);
      f.set(PG_LOCKED | PG_LRU);
      release(f);
      f.clear(PG_LOCKED);
      expect(Object.is(f.node, node)).toBe(true);
      expect([f.has(PG_LRU), f.has(PG_LOCKED), f.freed]).toEqual([true, false, true]);
    }
  });

  it('anonVma and file are independent, whichever is set first', () => {
    const av = { id: 1 } as unknown as AnonVma;
    const av2 = { id: 2 } as unknown as AnonVma;
    const f = newFolio(7, 0);
    expect([f.anonVma, f.file]).toEqual([null, -1]);
    f.file = 5;
    expect([f.anonVma, f.file]).toEqual([null, 5]);
    f.anonVma = av;
    expect([f.anonVma, f.file]).toEqual([av, 5]);
    f.file = 6;
    f.anonVma = av2;
    expect([f.anonVma, f.file]).toEqual([av2, 6]);
    f.anonVma = null;
    expect([f.anonVma, f.file]).toEqual([null, 6]);
    f.anonVma = av;
    f.file = -1;
    expect([f.anonVma, f.file]).toEqual([av, -1]);
    f.anonVma = null;
    expect([f.anonVma, f.file]).toEqual([null, -1]);
    f.file = 0;
    expect([f.anonVma, f.file]).toEqual([null, 0]);
    f.file = -1;
    expect([f.anonVma, f.file]).toEqual([null, -1]);
    const g = newFolio(8, 0);
    g.anonVma = av;
    expect([g.anonVma, g.file]).toEqual([av, -1]);
    g.file = 3;
    g.file = -1;
    expect([g.anonVma, g.file]).toEqual([av, -1]);
    expect(Object.is(newFolio(9, 0).file, -1)).toBe(true);
  });

  it('freed is independent of the page flags', () => {
    const f = newFolio(5, 0);
    f.set(PG_LRU | PG_DIRTY);
    expect(f.freed).toBe(false);
    release(f);
    expect(f.freed).toBe(true);
    expect([f.has(PG_LRU), f.has(PG_DIRTY), f.has(PG_LOCKED)]).toEqual([true, true, false]);
    f.clear(PG_LRU);
    expect(f.freed).toBe(true);
    expect(f.tryGet()).toBe(false);
    expect(() => f.get()).toThrow(/freed folio/);
  });
});

describe('FolioStore', () => {
  it('a slot made without a handle reads the same through the handle made later, which is then the only one', () => {
    const st = new FolioStore();
    const av = { id: 1 } as unknown as AnonVma;
    expect(st.alloc(10, 0)).toBe(0);
    const s = st.alloc(11, 1);
    st.setMapping(s, av);
    st.index[s] = 2 ** 35 + 3;
    st.data[s] = 7 * 2 ** 32 + 9;
    st.flags[s] = st.flags[s]! | PG_ANON_EXCLUSIVE;
    st.mapDelta(s, 1, 'test');
    const f = folioAt(st, s);
    expect([f.id, f.node, f.refcount, f.mapcount, f.index, f.data, f.anonVma, f.file]).toEqual([11, 1, 1, 1, 2 ** 35 + 3, 7 * 2 ** 32 + 9, av, -1]);
    expect(f.has(PG_ANON_EXCLUSIVE)).toBe(true);
    expect(folioAt(st, s)).toBe(f);
    f.get(2);
    expect(st.refcount[s]).toBe(3);
    expect(() => st.mapDelta(s, -2, 'test')).toThrow(/mapcount below zero/);
    f.refcount = 2 ** 31 - 1024;
    expect(() => f.get(1024, 'pin')).toThrow(/refcount overflow/);
    expect(f.refcount).toBe(2 ** 31 - 1024);
    expect(() => folioAt(st, 9)).toThrow(/no folio in slot 9/);
  });

  it('growing keeps every column of every slot, and the handles', () => {
    const st = new FolioStore(4);
    const n = 1000;
    const kept = new Map<number, Folio>();
    for (let i = 0; i < n; i++) {
      const s = st.alloc(i + 100, i % 3);
      st.data[s] = i * 2 ** 32 + 1;
      st.index[s] = -i - 0.5;
      st.refcount[s] = i;
      st.mapcount[s] = i + 1;
      st.lruNext[s] = i - 1;
      st.setMapping(s, i % 2 === 0 ? i % 5 : null);
      if (i % 97 === 0) kept.set(s, folioAt(st, s));
    }
    expect(st.live).toBe(n);
    for (let s = 0; s < n; s++) {
      const f = folioAt(st, s);
      expect([f.id, f.node, f.data, f.index, f.refcount, f.mapcount, st.lruNext[s], f.file]).toEqual([s + 100, s % 3, s * 2 ** 32 + 1, -s - 0.5, s, s + 1, s - 1, s % 2 === 0 ? s % 5 : -1]);
      if (kept.has(s)) expect(f).toBe(kept.get(s));
    }
  });

  it('a freed slot is reused fresh, and the handle of the freed folio keeps its last values apart', () => {
    const st = new FolioStore();
    const av = { id: 1 } as unknown as AnonVma;
    const f = new Folio(1, 1, st);
    f.anonVma = av;
    f.index = 42;
    f.data = 2 ** 32 + 5;
    f.set(PG_DIRTY);
    f.pinCount = 2;
    st.release(f.slot);
    expect(f.slot).toBe(-1);
    expect(st.live).toBe(0);
    expect(() => folioAt(st, 0)).toThrow(/no folio in slot 0/);
    // the next folio takes the slot, with nothing of the old one
    const s = st.alloc(2, 0);
    expect(s).toBe(0);
    const g = folioAt(st, s);
    expect(g).not.toBe(f);
    expect([g.id, g.refcount, g.mapcount, g.flags, g.data, g.index, g.anonVma, g.file, g.pinCount, g.freed]).toEqual([2, 1, 0, 0, 0, 0, null, -1, 0, false]);
    g.data = 9;
    g.set(PG_LOCKED);
    // the freed folio still reads (and keeps) its own values
    expect([f.id, f.node, f.data, f.index, f.anonVma, f.pinCount, f.freed, f.has(PG_DIRTY), f.locked]).toEqual([1, 1, 2 ** 32 + 5, 42, av, 2, true, true, false]);
    f.data = 3;
    expect([f.data, g.data]).toEqual([3, 9]);
    expect(() => f.get()).toThrow(/freed folio/);
  });
});

describe('the folios of a Kernel', () => {
  it('memory follows the folios alive: freed folios give their slots to the next ones', async () => {
    const { Kernel } = await import('../../src/replay/kernel.js');
    const { parsePolicy } = await import('../../src/replay/policies/presets.js');
    const { resolveCostsNs, toCycles } = await import('../../src/replay/costs.js');
    const { Rng } = await import('../../src/util/rng.js');
    const { DEFAULT_MACHINE } = await import('./harness.js');
    const k = new Kernel({ machine: DEFAULT_MACHINE, costs: toCycles(resolveCostsNs(), 3, 1000), policy: parsePolicy('linux-6.12'), rng: new Rng(1), timeline: null });
    const kept: Folio[] = [];
    for (let i = 0; i < 5000; i++) {
      const f = k.pages.allocFolio(0);
      f.data = i;
      k.pages.lru.add(f.slot);
      if (i % 1000 === 0) kept.push(f);
      else k.pages.put(f, 'test');
    }
    // the zero folio and the five kept; 5000 allocations in a few slots
    expect(k.pages.store.live).toBe(6);
    expect(k.pages.store.slotsUsed).toBeLessThanOrEqual(7);
    expect(kept.map((f) => f.data)).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(k.pages.resident).toBe(5);
    // ids still count allocations (reports name folios by id)
    expect(kept.map((f) => f.id)).toEqual([1, 1001, 2001, 3001, 4001]);
  });
});

describe('folio lock without waiters', () => {
  it('lock and unlock of a folio nobody waits on make no wait queue, and the bit is cleared', async () => {
    const { folio_trylock, folio_unlock } = await import('../../src/replay/locks/folio_lock.js');
    const { LockStats } = await import('../../src/replay/locks/lockstat.js');
    const woken: number[] = [];
    const env = {
      engine: { now: 5, wake: (t: { tid: number }) => woken.push(t.tid) },
      stats: new LockStats(),
      uncontended: 1,
      transfer: 1,
    } as unknown as Parameters<typeof folio_unlock>[0];
    const f = newFolio(9, 0);
    const task = { tid: 3 } as unknown as Parameters<typeof folio_trylock>[2];
    expect(folio_trylock(env, f, task)).toBe(true);
    expect(f.locked).toBe(true);
    expect(folio_trylock(env, f, task)).toBe(false);
    folio_unlock(env, f);
    expect(f.locked).toBe(false);
    expect(f.waitqIfAny).toBeNull();
    expect(woken).toEqual([]);
    expect(env.stats.get('folio_lock', 'bitlock').acquisitions).toBe(1);
    expect(() => folio_unlock(env, f)).toThrow(/unlocked folio/);
  });
});
