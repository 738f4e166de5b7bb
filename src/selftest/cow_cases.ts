/**
 * The anonymous-memory cases of tools/testing/selftests/mm/cow.c (anon_test_cases[]) on a base
 * page and on a swapped-out base page, each written as a tiny event table: the one definition
 * `mmreplay selftest cow` and the scenario tests (test/replay/cow_selftest.test.ts) replay.
 *
 * Processes: the test (pid 1) and its fork child (pid 2); cow.c's pipe handshakes become gaps of
 * 100 us between phases (T(n) = n * 100 us). vmsplice() is `gup` (get_user_pages_fast, FOLL_GET,
 * R/O) and reading the pipe is a `dma_read` through that reference; an io_uring fixed buffer is a
 * `pin` FOLL_WRITE | FOLL_LONGTERM and io_uring_prep_write_fixed a `dma_read`;
 * PIN_LONGTERM_TEST_START is an R/O `pin` FOLL_LONGTERM and PIN_LONGTERM_TEST_READ a `dma_read`.
 * The GUP-fast variants of the R/O pin cases are the same events (every `pin` tries GUP-fast
 * first and falls back as the kernel does), so they are not listed twice.
 *
 * The check row of a case is the selftest's memcmp(): the child's second read of the page
 * (child_memcmp_fn), or the read back through the pipe or the pin (the `dma_read`).
 */
import { FOLL_LONGTERM, FOLL_WRITE, PAGE_SIZE, PROT_READ, PROT_READ_WRITE } from '../ingest/schema.js';
import type { EventRow } from './event_rows.js';

/** Where the test maps its page (any user address works; the replay tests use the same). */
export const COW_BASE = 0x7f0000000000;
const PAGE = PAGE_SIZE;
const BASE = COW_BASE;
/** Phase n of a case, in ns: 100 us per pipe handshake. */
export const T = (n: number): number => Math.round(n * 100_000);
/** The test process (pid and tid). */
export const PARENT = 1;
/** Its fork child (pid and tid). */
export const CHILD = 2;
const P = PARENT;
const C = CHILD;
const PIN_RW = FOLL_WRITE | FOLL_LONGTERM;
const PIN_RO = FOLL_LONGTERM;

/** do_run_with_base_page(): mmap one private anonymous page and populate it (memset(mem, 1, pagesize)). */
export const populate: EventRow[] = [
  [T(0), P, P, 'mmap', BASE, PAGE, 0],
  [T(1), P, P, 'write', BASE, PAGE],
];
const fork = (at: number): EventRow => [T(at), P, P, 'fork', 0, 0, C];
/** mprotect(PROT_READ) + mprotect(PROT_READ|PROT_WRITE) by the test process (P). */
const mprotectRoundTrip = (at: number): EventRow[] => [
  [T(at), P, P, 'mprotect', BASE, PAGE, PROT_READ],
  [T(at + 0.2), P, P, 'mprotect', BASE, PAGE, PROT_READ_WRITE],
];

/** test_cow_in_parent{,_mprotect}: the child backs the page up, the parent writes, the child compares. */
export function cowInParent(mprotect: boolean): EventRow[] {
  return [
    ...populate, fork(2),
    [T(4), C, C, 'read', BASE, PAGE],
    ...(mprotect ? mprotectRoundTrip(4.5) : []),
    [T(5), P, P, 'write', BASE, PAGE],
    [T(6), C, C, 'read', BASE, PAGE],
    [T(7), C, C, 'exit', 0],
  ];
}

/** test_vmsplice_in_child{,_mprotect}: the child vmsplices and unmaps, the parent writes, the child reads the pipe. */
export function vmspliceInChild(mprotect: boolean): EventRow[] {
  return [
    ...populate, fork(2),
    [T(4), C, C, 'gup', BASE, PAGE, 0],
    [T(4.5), C, C, 'munmap', BASE, PAGE, 0],
    ...(mprotect ? mprotectRoundTrip(4.7) : []),
    [T(5), P, P, 'write', BASE, PAGE],
    [T(6), C, C, 'dma_read', BASE, PAGE],
    [T(7), C, C, 'exit', 0],
  ];
}

/** do_test_vmsplice_in_parent: the parent vmsplices (before or after fork), unmaps; the child writes and exits; the parent reads the pipe. */
export function vmspliceInParent(beforeFork: boolean): EventRow[] {
  const gup: EventRow = [T(beforeFork ? 2 : 4), P, P, 'gup', BASE, PAGE, 0];
  return [
    ...populate,
    ...(beforeFork ? [gup, fork(3)] : [fork(2), gup]),
    [T(5), P, P, 'munmap', BASE, PAGE, 0],
    [T(6), C, C, 'write', BASE, PAGE],
    [T(7), C, C, 'exit', 0],
    [T(8), P, P, 'dma_read', BASE, PAGE],
  ];
}

/** do_test_iouring: register a fixed buffer (R/W longterm pin), then mprotect R/O+R/W or fork; write; write_fixed. */
export function iouring(useFork: boolean): EventRow[] {
  return [
    ...populate,
    [T(2), P, P, 'pin', BASE, PAGE, PIN_RW],
    ...(useFork ? [fork(3)] : mprotectRoundTrip(3)),
    [T(5), P, P, 'write', BASE, PAGE],
    [T(6), P, P, 'dma_read', BASE, PAGE],
    ...(useFork ? [[T(7), C, C, 'exit', 0] as EventRow] : []),
    [T(8), P, P, 'unpin', BASE, PAGE, PIN_RW],
  ];
}

/** enum ro_pin_test, the cases cow.c runs. */
export type RoPinTest = 'shared' | 'previously-shared' | 'ro-exclusive';

/** do_test_ro_pin: share with a live child, with a child that quit, or map R/O; R/O longterm pin; write; read via the pin. */
export function roPin(test: RoPinTest): EventRow[] {
  const setup: EventRow[] =
    test === 'ro-exclusive' ? mprotectRoundTrip(2) : test === 'shared' ? [fork(2)] : [fork(2), [T(4), C, C, 'exit', 0]];
  return [
    ...populate, ...setup,
    [T(5), P, P, 'pin', BASE, PAGE, PIN_RO],
    [T(6), P, P, 'write', BASE, PAGE],
    [T(7), P, P, 'dma_read', BASE, PAGE],
    [T(8), P, P, 'unpin', BASE, PAGE, PIN_RO],
    ...(test === 'shared' ? [[T(9), C, C, 'exit', 0] as EventRow] : []),
  ];
}

/** do_run_with_base_page(swapout = true): MADV_PAGEOUT right after populating, before the case runs. */
export function swappedOut(rows: readonly EventRow[]): EventRow[] {
  return [...rows.slice(0, populate.length), [T(1.5), P, P, 'swapout', BASE, PAGE, 0], ...rows.slice(populate.length)];
}

/**
 * The row whose outcome is the selftest's memcmp(): the last `dma_read` (pipe or pin read back),
 * else the child's last read (child_memcmp_fn).
 */
export function checkRowOf(rows: readonly EventRow[]): number {
  for (let i = rows.length - 1; i >= 0; i--) if (rows[i]![3] === 'dma_read') return i;
  for (let i = rows.length - 1; i >= 0; i--) if (rows[i]![3] === 'read' && rows[i]![2] === C) return i;
  throw new Error('cow case without a check row');
}

/** What cow.c prints for a case: ksft_test_result_pass / _fail messages. */
export interface CowMessages {
  pass: string;
  fail: string;
}

const PARENT_INTO_CHILD: CowMessages = { pass: 'No leak from parent into child', fail: 'Leak from parent into child' };
const CHILD_INTO_PARENT: CowMessages = { pass: 'No leak from child into parent', fail: 'Leak from child into parent' };
// ksft_test_result(cond, msg): the same words on "ok" and "not ok" lines.
const RW_PIN: CowMessages = { pass: 'Longterm R/W pin is reliable', fail: 'Longterm R/W pin is reliable' };
const RO_PIN: CowMessages = { pass: 'Longterm R/O pin is reliable', fail: 'Longterm R/O pin is reliable' };

/** One entry of cow.c's anon_test_cases[]. */
export interface CowCase {
  /** Short id for CSV and --json. */
  id: string;
  /** cow.c's description. */
  name: string;
  /** The cow.c test function. */
  fn: string;
  /** The rows on a base page (the swapped-out variant inserts `swapout` after populating). */
  rows: EventRow[];
  messages: CowMessages;
}

/** cow.c's anon_test_cases[] (GUP-fast duplicates left out: same events). */
export const COW_CASES: readonly CowCase[] = [
  { id: 'cow-after-fork', name: 'Basic COW after fork()', fn: 'test_cow_in_parent', rows: cowInParent(false), messages: PARENT_INTO_CHILD },
  { id: 'cow-after-fork-mprotect', name: 'Basic COW after fork() with mprotect() optimization', fn: 'test_cow_in_parent_mprotect', rows: cowInParent(true), messages: PARENT_INTO_CHILD },
  { id: 'vmsplice-child', name: 'vmsplice() + unmap in child', fn: 'test_vmsplice_in_child', rows: vmspliceInChild(false), messages: PARENT_INTO_CHILD },
  { id: 'vmsplice-child-mprotect', name: 'vmsplice() + unmap in child with mprotect() optimization', fn: 'test_vmsplice_in_child_mprotect', rows: vmspliceInChild(true), messages: PARENT_INTO_CHILD },
  { id: 'vmsplice-before-fork', name: 'vmsplice() before fork(), unmap in parent after fork()', fn: 'test_vmsplice_before_fork', rows: vmspliceInParent(true), messages: CHILD_INTO_PARENT },
  { id: 'vmsplice-parent', name: 'vmsplice() + unmap in parent after fork()', fn: 'test_vmsplice_after_fork', rows: vmspliceInParent(false), messages: CHILD_INTO_PARENT },
  { id: 'iouring-ro', name: 'R/O-mapping a page registered as iouring fixed buffer', fn: 'test_iouring_ro', rows: iouring(false), messages: RW_PIN },
  { id: 'iouring-fork', name: 'fork() with an iouring fixed buffer', fn: 'test_iouring_fork', rows: iouring(true), messages: RW_PIN },
  { id: 'ro-pin-shared', name: 'R/O GUP pin on R/O-mapped shared page', fn: 'test_ro_pin_on_shared', rows: roPin('shared'), messages: RO_PIN },
  { id: 'ro-pin-prev-shared', name: 'R/O GUP pin on R/O-mapped previously-shared page', fn: 'test_ro_pin_on_ro_previously_shared', rows: roPin('previously-shared'), messages: RO_PIN },
  { id: 'ro-pin-exclusive', name: 'R/O GUP pin on R/O-mapped exclusive page', fn: 'test_ro_pin_on_ro_exclusive', rows: roPin('ro-exclusive'), messages: RO_PIN },
];

/** run_with_base_page / run_with_base_page_swap. */
export type CowVariant = 'base page' | 'swapped-out base page';
/** The variants, in cow.c's order. */
export const COW_VARIANTS: readonly CowVariant[] = ['base page', 'swapped-out base page'];

/** The rows of `c` in `variant`. */
export function cowRows(c: CowCase, variant: CowVariant): EventRow[] {
  return variant === 'base page' ? [...c.rows] : swappedOut(c.rows);
}
