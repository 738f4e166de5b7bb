/**
 * rmap walks against vma_adjust (docs/kernel-sources.md E, rmap_lock axis): the stores of vma_adjust are
 * separate steps an interrupt can separate; what a concurrent walk sees then depends on the
 * lock the policy makes both sides take. Over a long compaction-vs-mprotect run, `none` leaves
 * stale migration entries (kernel BUGs), `anon-vma-root` never does.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Kernel, Thread } from '../../src/replay/kernel.js';
import { resolveCostsNs, toCycles } from '../../src/replay/costs.js';
import { parsePolicy } from '../../src/replay/policies/presets.js';
import { rmap_walk } from '../../src/replay/paths/rmap_walk.js';
import { VM_READ, VM_WRITE, type Vma } from '../../src/replay/mm/mm_types.js';
import { vma_adjust } from '../../src/replay/paths/vma_adjust.js';
import type { PolicyResult } from '../../src/replay/result.js';
import { Rng } from '../../src/util/rng.js';
import { BASE, DEFAULT_MACHINE, PAGE } from './harness.js';
import { generatedColumns, runGenerated } from './generated.js';
import { replay } from '../../src/replay/replay.js';

/** What a walk of one folio saw: the VMAs (by name) and addresses it visited. */
interface WalkOutcome {
  visits: string[];
  walkStart: number;
}

/**
 * Two VMAs A = [0, 4) and B = [4, 8) pages on one anon_vma; a folio at page 3 (in A). Task 1
 * moves the boundary down to 2 (vma_merge case 4: vma_adjust(A, start, 2) moves B's start and
 * pgoff too); when `interrupt` is set, an interrupt lands on its CPU right after A's vm_end store.
 * Task 2, on the other CPU, walks the folio's rmap 1000 cycles in.
 */
function raceOnce(rmapLock: string, interrupt: boolean): WalkOutcome {
  const policy = parsePolicy(`linux-2.6.34-rc+rmap_lock=${rmapLock}`);
  const costs = toCycles(resolveCostsNs(), 3, 1000);
  const k = new Kernel({ machine: { ...DEFAULT_MACHINE, cpus: 2 }, costs, policy, rng: new Rng(1), timeline: null });
  const mm = k.newMm(1, k.oracle.newView());
  const pg0 = BASE / PAGE;
  const a = k.newVma(mm, BASE, BASE + 4 * PAGE, pg0, VM_READ | VM_WRITE);
  const b = k.newVma(mm, BASE + 4 * PAGE, BASE + 8 * PAGE, pg0 + 4, VM_READ);
  const av = k.newAnonVma(null);
  for (const v of [a, b]) {
    v.anonVma = av;
    v.anonChains.push(av);
    av.link(v);
    mm.insertVma(v);
  }
  const folio = k.pages.allocFolio(0);
  folio.anonVma = av;
  folio.index = pg0 + 3;
  const name = (v: Vma) => (v === a ? 'A' : 'B');

  const adjuster = new Thread(k.engine, 1, 1, 'adjuster');
  adjuster.mm = mm;
  adjuster.program = (function* () {
    yield* vma_adjust(k, adjuster, a, a.vmStart, BASE + 2 * PAGE, a.vmPgoff);
  })();
  const walker = new Thread(k.engine, 2, 1, 'walker');
  walker.mm = mm;
  const out: WalkOutcome = { visits: [], walkStart: -1 };
  walker.program = (function* () {
    out.walkStart = k.now;
    yield* rmap_walk(k, walker, folio, function* (vma, addr) {
      out.visits.push(`${name(vma)}@${(addr - BASE) / PAGE}`);
      yield 0;
      return true;
    });
  })();
  // Watch for A's vm_end store; the interrupt is taken at the adjuster's next step boundary.
  let fired = false;
  for (let c = 0; c < 2000; c += 10) {
    k.engine.call(c, () => {
      if (!interrupt || fired || a.vmEnd !== BASE + 2 * PAGE) return;
      fired = true;
      adjuster.cpu!.interrupt(k.costs.tick);
    });
  }
  k.engine.start(adjuster, 0);
  k.engine.start(walker, 1000);
  k.engine.run();
  expect(interrupt ? fired : true).toBe(true);
  expect([a.vmEnd, b.vmStart, b.vmPgoff]).toEqual([BASE + 2 * PAGE, BASE + 2 * PAGE, pg0 + 2]);
  return out;
}

describe('vma_adjust store by store', () => {
  it('an interrupt between two stores is visible to a walk on another CPU under rmap_lock=none', () => {
    // Without the interrupt the walk starts after the last store: B maps page 3 now.
    expect(raceOnce('none', false).visits).toEqual(['B@3']);
    // With it, A has shrunk but B has not grown yet: the walk finds the page in neither VMA.
    expect(raceOnce('none', true).visits).toEqual([]);
  });

  it('anon-vma-root and vma-adjust-lock make the walk wait for the stores', () => {
    expect(raceOnce('anon-vma-root', true).visits).toEqual(['B@3']);
    expect(raceOnce('vma-adjust-lock', true).visits).toEqual(['B@3']);
  });
});

describe('compaction against mprotect boundary moves (vma-adjust-race)', () => {
  /** Acquisitions of every lock row of one class. */
  const acq = (r: PolicyResult, lock: string) => r.locks.filter((l) => l.lock === lock).reduce((s, l) => s + l.acquisitions, 0);
  let none: PolicyResult | undefined;
  let adjustLock: PolicyResult | undefined;
  let root: PolicyResult | undefined;
  beforeAll(() => {
    // `mmreplay generate vma-adjust-race --set rounds=2000` (64 pages, 20 forked children, 1 reader).
    [none, adjustLock, root] = runGenerated('vma-adjust-race', ['rounds=2000'], [
      'linux-2.6.34-rc',
      'linux-2.6.34-rc+rmap_lock=vma-adjust-lock',
      'linux-2.6.34-rc+rmap_lock=anon-vma-root',
    ]);
  });

  it('rmap_lock=none leaves stale migration entries, found as kernel BUGs', () => {
    expect(none!.summary.stale_migration_entries).toBeGreaterThan(5);
    const bugs = none!.findings.filter((f) => f.kind === 'kernel_bug');
    expect(bugs.length).toBeGreaterThan(0);
    expect(bugs[0]!.message).toMatch(/migration_entry_to_page/);
    expect(none!.integrity.find((x) => x.kind === 'stale_migration_entry')?.count).toBe(none!.summary.stale_migration_entries);
  });

  it('vma-adjust-lock and anon-vma-root never do', () => {
    for (const r of [adjustLock, root]) {
      expect(r!.summary.stale_migration_entries).toBe(0);
      expect(r!.findings.filter((f) => f.kind === 'kernel_bug')).toEqual([]);
    }
  });

  it('with stores priced as bare stores, vma-adjust-lock leaks too: a walk reads A before and B after one whole vma_adjust', () => {
    // vma_store = 1 ns: a whole boundary move fits between the walk's vma_address() of A and of
    // B, so mprotect case 5 (pages move from B to A, A visited first) hides pages from the walk.
    const cols = generatedColumns('vma-adjust-race', ['rounds=20000', 'children=0']);
    const [adj, rootLock] = replay(cols, {
      machine: { ...DEFAULT_MACHINE },
      costOverrides: { vma_store: 1 },
      policies: ['linux-2.6.34-rc+rmap_lock=vma-adjust-lock', 'linux-2.6.34-rc+rmap_lock=anon-vma-root'].map((p) => parsePolicy(p)),
      trace: { path: 'synthetic:vma-adjust-race', sha256: '-', rows: cols.ts.length },
    }).policies;
    expect(adj!.summary.stale_migration_entries).toBeGreaterThan(0);
    expect(rootLock!.summary.stale_migration_entries).toBe(0);
  });

  it('vma-adjust-lock pays a lock on every rmap step: many more acquisitions than the root anon_vma lock', () => {
    expect(acq(adjustLock!, 'vma_adjust_lock')).toBeGreaterThan(1.5 * acq(root!, 'anon_vma'));
    expect(acq(none!, 'vma_adjust_lock')).toBe(0);
    expect(acq(root!, 'vma_adjust_lock')).toBe(0);
    // 2.6.34's anon_vma lock was a spinlock; the root lock variant runs on the 3.8+ rwsem.
    expect(none!.locks.find((l) => l.lock === 'anon_vma')?.type).toBe('spinlock');
    expect(new Set(root!.locks.filter((l) => l.lock === 'anon_vma').map((l) => l.type))).toEqual(new Set(['rwsem:R', 'rwsem:W']));
  });

  it('the runs are otherwise sound: every migration accounted, no lost writes, no deadlock', () => {
    for (const r of [none, adjustLock, root]) {
      expect(r!.summary.migrate_pages).toBeGreaterThan(500);
      expect(r!.summary.migrate_ok + r!.summary.migrate_failed).toBe(r!.summary.migrate_pages);
      expect(r!.summary.integrity_violations).toBe(0);
      expect(r!.summary.deadlocks).toBe(0);
      expect(r!.counters.vma_merges).toBe(2000);
      expect(r!.counters.sigsegv).toBeUndefined();
    }
  });
});
