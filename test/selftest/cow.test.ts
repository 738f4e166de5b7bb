/**
 * `selftest cow` acceptance: the verdict of every cow.c anonymous case (base page and swapped-out
 * base page) under the presets whose behaviour the history documents, each expected verdict with
 * the kernel reference it comes from (docs/kernel-sources.md C, docs/cow-and-gup.md, docs/selftest.md).
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy, PRESET_NAMES } from '../../src/replay/policies/presets.js';
import type { PolicyResult } from '../../src/replay/result.js';
import { cowVerdict, runCowSelftest } from '../../src/selftest/cow.js';
import { checkRowOf, COW_CASES, COW_VARIANTS, cowRows, swappedOut, vmspliceInChild } from '../../src/selftest/cow_cases.js';
import type { ReplayOutcomes } from '../../src/selftest/replay_outcomes.js';
import type { SelftestReport, Verdict } from '../../src/selftest/types.js';

type Expect = Record<string, Verdict>;
const ALL = (v: Verdict): Expect => Object.fromEntries(COW_CASES.map((c) => [c.id, v]));

/**
 * Expected verdicts on a base page. References:
 * - 6.1 and later: PageAnonExclusive reuse (6c287605fd56), FAULT_FLAG_UNSHARE for R/O pins
 *   (5.19), early COW of pinned pages at fork (70e806e4e645): every case passes (cow.c was
 *   written against these kernels and passes on them).
 * - 5.10: refcount reuse (09854ba94c6a) fixes the vmsplice leaks, early COW fixes the iouring
 *   fork case, but nothing unshares an R/O pin: a write fault copies away from the pinned page
 *   (page_count != 1), so the R/O pin cases and the R/O-mapped iouring buffer fail.
 * - 5.8: mapcount reuse plus the COW break in GUP (17839856fd58): "vmsplice() + unmap in child"
 *   passes, but a GUP before fork sees an exclusive page and the child then reuses by mapcount
 *   (vmsplice before fork fails); no early COW: the parent's write copies away from the iouring
 *   pin after fork.
 * - 2.6.34-rc: mapcount reuse, no COW break (CVE-2020-29374): every vmsplice case leaks; the
 *   iouring fork case and the R/O pin on a shared page copy away from the pin.
 */
const BASE_PAGE: Record<string, Expect> = {
  'linux-6.12': ALL('PASS'),
  'linux-6.1': ALL('PASS'),
  'linux-5.10': {
    ...ALL('PASS'),
    'iouring-ro': 'FAIL', 'ro-pin-shared': 'FAIL', 'ro-pin-prev-shared': 'FAIL', 'ro-pin-exclusive': 'FAIL',
  },
  'linux-5.8': { ...ALL('PASS'), 'vmsplice-before-fork': 'FAIL', 'iouring-fork': 'FAIL' },
  'linux-2.6.34-rc': {
    ...ALL('PASS'),
    'vmsplice-child': 'FAIL', 'vmsplice-child-mprotect': 'FAIL', 'vmsplice-before-fork': 'FAIL', 'vmsplice-parent': 'FAIL',
    'iouring-fork': 'FAIL', 'ro-pin-shared': 'FAIL',
  },
};

/**
 * Swapped out first (do_run_with_base_page_swap): the same, except 5.10 also fails the vmsplice
 * cases whose writer faults on the swap entry: until c145e0b47c77 (5.18) do_swap_page() reused
 * the page through reuse_swap_page() (mapcount + swap count, blind to GUP references).
 */
const SWAPPED: Record<string, Expect> = {
  ...BASE_PAGE,
  'linux-5.10': {
    ...BASE_PAGE['linux-5.10']!,
    'vmsplice-child': 'FAIL', 'vmsplice-child-mprotect': 'FAIL', 'vmsplice-parent': 'FAIL',
  },
};

const POLICIES = Object.keys(BASE_PAGE);

function verdictsOf(report: SelftestReport, policy: string, variant: string): Record<string, Verdict> {
  const j = report.policies.indexOf(policy);
  return Object.fromEntries(report.cases.flatMap((c, i) => (c.variant === variant ? [[c.id, report.verdicts[i]![j]!.verdict]] : [])));
}

describe('selftest cow per preset', () => {
  const report = runCowSelftest(POLICIES.map((p) => parsePolicy(p)));

  for (const policy of POLICIES) {
    it(`${policy}, base page`, () => expect(verdictsOf(report, policy, 'base page')).toEqual(BASE_PAGE[policy]));
    it(`${policy}, swapped-out base page`, () => expect(verdictsOf(report, policy, 'swapped-out base page')).toEqual(SWAPPED[policy]));
  }

  it('lists every anon_test_cases[] entry (GUP-fast duplicates aside) in both variants', () => {
    expect(report.cases.map((c) => `${c.name} / ${c.variant}`)).toEqual(COW_CASES.flatMap((c) => COW_VARIANTS.map((v) => `${c.name} / ${v}`)));
    expect(report.cases).toHaveLength(22);
  });

  it('gives each failure in cow.c\'s words, with what the check saw', () => {
    const at = (policy: string, id: string) => report.verdicts[report.cases.findIndex((c) => c.id === id)]![report.policies.indexOf(policy)]!;
    expect(at('linux-5.8', 'vmsplice-before-fork').reason).toBe("Leak from child into parent [dma_read by pid 1 saw another process's data: dma_leak x1]");
    expect(at('linux-2.6.34-rc', 'vmsplice-child').reason).toBe("Leak from parent into child [dma_read by pid 2 saw another process's data: dma_leak x1]");
    expect(at('linux-5.8', 'iouring-fork').reason).toBe('Longterm R/W pin is reliable [dma_read by pid 1 saw an older version: dma_lost_write x1]');
    expect(at('linux-5.10', 'ro-pin-shared').reason).toBe('Longterm R/O pin is reliable [dma_read by pid 1 saw an older version: dma_lost_write x1]');
    expect(at('linux-6.12', 'cow-after-fork').reason).toBe('No leak from parent into child');
  });
});

describe('the verdict comes from the replay, not the policy name', () => {
  it('a 6.12 label with 2.6.34\'s COW rules leaks like 2.6.34 (CVE-2020-29374)', () => {
    const p = parsePolicy('linux-6.12+wp_reuse=mapcount+gup_cow=none+fork_cow=share');
    const r = runCowSelftest([p]);
    const i = r.cases.findIndex((c) => c.id === 'vmsplice-child' && c.variant === 'base page');
    expect(r.policies).toEqual(['linux-6.12+wp_reuse=mapcount+gup_cow=none+fork_cow=share']);
    expect(r.verdicts[i]![0]!.verdict).toBe('FAIL');
    expect(r.verdicts[i]![0]!.reason).toMatch(/^Leak from parent into child/);
  });

  it('every preset from 6.1 on passes every case', () => {
    const newer = PRESET_NAMES.slice(PRESET_NAMES.indexOf('linux-6.1'));
    const r = runCowSelftest(newer.map((p) => parsePolicy(p)));
    expect(r.verdicts.flat().filter((v) => v.verdict !== 'PASS')).toEqual([]);
  });
});

/** A replay outcome with the given counters, integrity rows and events (for the verdict rules). */
function fake(over: { counters?: Record<string, number>; integrity?: PolicyResult['integrity']; events?: ReplayOutcomes['events'] }): ReplayOutcomes {
  const result = {
    policy: 'linux-6.12', variants: {}, summary: {} as PolicyResult['summary'], faultLatency: undefined as never, latency: [], locks: [], refcount: [],
    integrity: over.integrity ?? [], findings: [], counters: over.counters ?? {},
  } as PolicyResult;
  return { result, events: over.events ?? [], refcountFailures: [] };
}

describe('verdict rules', () => {
  const c = COW_CASES.find((x) => x.id === 'vmsplice-child')!;
  const rows = cowRows(c, 'base page');
  const check = checkRowOf(rows);
  const ev = (row: number, outcome: string) => ({ row, tid: 2, op: 0, path: 'dma_read', outcome, startCycles: 0, endCycles: 1 });

  it('the check row is the memcmp: the pipe read back (dma_read), or the child\'s second read', () => {
    expect(rows[check]![3]).toBe('dma_read');
    const basic = COW_CASES[0]!.rows;
    expect(basic[checkRowOf(basic)]).toEqual(basic.filter((r) => r[3] === 'read' && r[1] === 2).at(-1));
  });

  it('a finding outside the check row does not fail the case (cow.c compares only there)', () => {
    const o = fake({ integrity: [{ kind: 'lost_write', count: 1, first_tid: 1, first_addr: 0, first_cycles: 0 }], events: [ev(check - 1, 'violation'), ev(check, 'ok')] });
    expect(cowVerdict(c, 'base page', rows, o).verdict).toBe('PASS');
  });

  it('a check that never ran fails', () => {
    expect(cowVerdict(c, 'base page', rows, fake({ events: [] })).reason).toMatch(/never ran/);
  });

  it('SKIP when an op of the case is not emulated, or MADV_PAGEOUT swapped nothing out', () => {
    const o = fake({ counters: { 'op_not_emulated.gup': 1 }, events: [ev(check, 'ok')] });
    expect(cowVerdict(c, 'base page', rows, o)).toMatchObject({ verdict: 'SKIP', reason: 'not emulated yet: gup' });
    const s = cowVerdict(c, 'swapped-out base page', swappedOut(vmspliceInChild(false)), fake({ events: [ev(check + 1, 'ok')] }));
    expect(s).toMatchObject({ verdict: 'SKIP', reason: 'MADV_PAGEOUT did not work, is swap enabled? [no page written to swap]' });
  });
});
