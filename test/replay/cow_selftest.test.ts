/**
 * The anonymous-memory cases of tools/testing/selftests/mm/cow.c (base page and swapped-out base
 * page), written as traces of the ops, with the verdict the kernel gives under each preset: the
 * ground truth for `mmreplay selftest cow`, which replays the same rows (the row builders live in
 * src/selftest/cow_cases.ts, the one definition both use). A case PASSes when the replay finds no
 * integrity violation (cow.c's memcmp of what the other side or the pin sees).
 *
 * Processes: the test (pid 1) and its fork child (pid 2); cow.c's pipe handshakes become gaps of
 * 100 us between phases. vmsplice() is `gup` (get_user_pages_fast, FOLL_GET, R/O) and reading the
 * pipe is a `dma_read` through that reference; io_uring fixed buffers are `pin` FOLL_WRITE |
 * FOLL_LONGTERM and the write_fixed is a `dma_read`; PIN_LONGTERM_TEST_START is an R/O `pin`
 * FOLL_LONGTERM and PIN_LONGTERM_TEST_READ a `dma_read`. The GUP-fast variants of the R/O pin
 * cases replay the same rows (every `pin` tries GUP-fast first and falls back as the kernel does).
 *
 * Expected verdicts (docs/kernel-sources.md C; docs/cow-and-gup.md has the reasoning per case):
 * - linux-6.12: every case passes (PageAnonExclusive, unsharing, early COW at fork).
 * - linux-5.8: the COW break in GUP (17839856fd58) passes "vmsplice() + unmap in child" but
 *   "vmsplice() before fork(), unmap in parent after fork()" fails (the child reuses the page by
 *   mapcount), and so does "fork() with an iouring fixed buffer" (no early COW: the parent's
 *   write copies away from the pin).
 * - linux-5.10: the R/O pin cases fail (no unsharing: the write fault copies away from the
 *   pin, page_count != 1), as does the iouring R/O-mapping case.
 * - linux-2.6.34-rc (mapcount reuse, no COW break): every vmsplice case leaks.
 * - Swapped out first (do_run_with_base_page_swap): as above, except that 5.10 also fails
 *   "vmsplice() + unmap in child" and "vmsplice() + unmap in parent after fork()": until
 *   c145e0b47c77 (5.18) a write fault on a swap entry reused the page through reuse_swap_page()
 *   (mapcount + swap count, blind to GUP references) — the leak its commit message describes.
 * Cases that map the page R/O with mprotect() need the `mprotect` path; until it is emulated the
 * mprotect rows are ignored (counted as op_not_emulated) and those cases are checked against the
 * verdict without the R/O mapping.
 */
import { describe, expect, it } from 'vitest';
import { Op } from '../../src/ingest/schema.js';
import { opHandler } from '../../src/replay/paths/ops.js';
import { cowInParent, iouring, roPin, swappedOut, vmspliceInChild, vmspliceInParent } from '../../src/selftest/cow_cases.js';
import { run, type Row } from './harness.js';

const POLICIES = ['linux-6.12', 'linux-5.10', 'linux-5.8', 'linux-2.6.34-rc'] as const;
type Verdict = 'PASS' | 'FAIL';

interface CowCase {
  /** cow.c's description. */
  name: string;
  rows: Row[];
  /** The case maps the page R/O through mprotect() to force a write fault. */
  mprotect: boolean;
  /** The kernel's verdict per preset. */
  expected: Record<(typeof POLICIES)[number], Verdict>;
  /** The verdict while mprotect is not emulated (mprotect cases only). */
  withoutMprotect?: Verdict;
  /** The kernel's verdict with the page swapped out first, where it differs from `expected`. */
  swapped?: Partial<Record<(typeof POLICIES)[number], Verdict>>;
}

const ALL_PASS = { 'linux-6.12': 'PASS', 'linux-5.10': 'PASS', 'linux-5.8': 'PASS', 'linux-2.6.34-rc': 'PASS' } as const;

const CASES: CowCase[] = [
  { name: 'Basic COW after fork()', rows: cowInParent(false), mprotect: false, expected: ALL_PASS },
  { name: 'Basic COW after fork() with mprotect() optimization', rows: cowInParent(true), mprotect: true, expected: ALL_PASS, withoutMprotect: 'PASS' },
  {
    name: 'vmsplice() + unmap in child', rows: vmspliceInChild(false), mprotect: false,
    expected: { 'linux-6.12': 'PASS', 'linux-5.10': 'PASS', 'linux-5.8': 'PASS', 'linux-2.6.34-rc': 'FAIL' },
    swapped: { 'linux-5.10': 'FAIL' },
  },
  {
    name: 'vmsplice() + unmap in child with mprotect() optimization', rows: vmspliceInChild(true), mprotect: true,
    expected: { 'linux-6.12': 'PASS', 'linux-5.10': 'PASS', 'linux-5.8': 'PASS', 'linux-2.6.34-rc': 'FAIL' },
    swapped: { 'linux-5.10': 'FAIL' },
  },
  {
    name: 'vmsplice() before fork(), unmap in parent after fork()', rows: vmspliceInParent(true), mprotect: false,
    expected: { 'linux-6.12': 'PASS', 'linux-5.10': 'PASS', 'linux-5.8': 'FAIL', 'linux-2.6.34-rc': 'FAIL' },
  },
  {
    name: 'vmsplice() + unmap in parent after fork()', rows: vmspliceInParent(false), mprotect: false,
    expected: { 'linux-6.12': 'PASS', 'linux-5.10': 'PASS', 'linux-5.8': 'PASS', 'linux-2.6.34-rc': 'FAIL' },
    swapped: { 'linux-5.10': 'FAIL' },
  },
  {
    name: 'R/O-mapping a page registered as iouring fixed buffer', rows: iouring(false), mprotect: true,
    expected: { 'linux-6.12': 'PASS', 'linux-5.10': 'FAIL', 'linux-5.8': 'PASS', 'linux-2.6.34-rc': 'PASS' },
    withoutMprotect: 'PASS',
  },
  {
    name: 'fork() with an iouring fixed buffer', rows: iouring(true), mprotect: false,
    expected: { 'linux-6.12': 'PASS', 'linux-5.10': 'PASS', 'linux-5.8': 'FAIL', 'linux-2.6.34-rc': 'FAIL' },
  },
  {
    name: 'R/O GUP pin on R/O-mapped shared page', rows: roPin('shared'), mprotect: false,
    expected: { 'linux-6.12': 'PASS', 'linux-5.10': 'FAIL', 'linux-5.8': 'PASS', 'linux-2.6.34-rc': 'FAIL' },
  },
  {
    name: 'R/O GUP pin on R/O-mapped previously-shared page', rows: roPin('previously-shared'), mprotect: false,
    expected: { 'linux-6.12': 'PASS', 'linux-5.10': 'FAIL', 'linux-5.8': 'PASS', 'linux-2.6.34-rc': 'PASS' },
  },
  {
    name: 'R/O GUP pin on R/O-mapped exclusive page', rows: roPin('ro-exclusive'), mprotect: true,
    expected: { 'linux-6.12': 'PASS', 'linux-5.10': 'FAIL', 'linux-5.8': 'PASS', 'linux-2.6.34-rc': 'PASS' },
    withoutMprotect: 'PASS',
  },
];

const mprotectEmulated = opHandler(Op.mprotect) !== undefined;

describe('cow.c anonymous cases (base page) per preset', () => {
  for (const c of CASES) {
    for (const policy of POLICIES) {
      const want = c.mprotect && !mprotectEmulated ? c.withoutMprotect ?? c.expected[policy] : c.expected[policy];
      it(`${c.name} under ${policy}: ${want}`, () => {
        const [r] = run(c.rows, [policy]);
        const got: Verdict = r!.summary.integrity_violations === 0 ? 'PASS' : 'FAIL';
        expect(got).toBe(want);
        if (c.mprotect && !mprotectEmulated) expect(r!.counters['op_not_emulated.mprotect']).toBe(2);
        expect(r!.summary.deadlocks).toBe(0);
      });
    }
  }
});

describe('cow.c anonymous cases (swapped-out base page) per preset', () => {
  for (const c of CASES) {
    for (const policy of POLICIES) {
      const kernel = c.swapped?.[policy] ?? c.expected[policy];
      const want = c.mprotect && !mprotectEmulated ? c.withoutMprotect ?? kernel : kernel;
      it(`${c.name} under ${policy}: ${want}`, () => {
        const [r] = run(swappedOut(c.rows), [policy]);
        expect(r!.summary.swapins).toBeGreaterThan(0);
        expect(r!.summary.integrity_violations === 0 ? 'PASS' : 'FAIL').toBe(want);
        expect(r!.summary.deadlocks).toBe(0);
      });
    }
  }
});

describe('what each failure is', () => {
  const kinds = (rows: Row[], policy: string): Record<string, number> => {
    const [r] = run(rows, [policy]);
    return Object.fromEntries(r!.integrity.map((i) => [i.kind, i.count]));
  };

  it('5.8 "vmsplice() before fork(), unmap in parent after fork()": the child\'s data leaks into the parent\'s pipe', () => {
    expect(kinds(vmspliceInParent(true), 'linux-5.8')).toEqual({ dma_leak: 1 });
  });

  it('5.8 "fork() with an iouring fixed buffer": the pin misses the parent\'s write (copied away by mapcount 2)', () => {
    expect(kinds(iouring(true), 'linux-5.8')).toEqual({ dma_lost_write: 1 });
  });

  it('5.10 "R/O GUP pin on R/O-mapped shared page": the pin misses the write (page_count != 1 copies)', () => {
    expect(kinds(roPin('shared'), 'linux-5.10')).toEqual({ dma_lost_write: 1 });
  });

  it('2.6.34 "vmsplice() + unmap in child": CVE-2020-29374, the parent\'s write leaks into the child\'s pipe', () => {
    expect(kinds(vmspliceInChild(false), 'linux-2.6.34-rc')).toEqual({ dma_leak: 1 });
  });

  it('5.10 "vmsplice() + unmap in child", swapped out: do_swap_page() still reused by reuse_swap_page() (fixed by c145e0b47c77, 5.18)', () => {
    expect(kinds(swappedOut(vmspliceInChild(false)), 'linux-5.10')).toEqual({ dma_leak: 1 });
  });
});
