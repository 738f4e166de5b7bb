import { describe, expect, it } from 'vitest';
import { BASE, PAGE, paths, run } from './harness.js';
import type { Row } from './harness.js';

describe('do_anonymous_page / do_wp_page', () => {
  it('a read fault maps the zero page and a later write replaces it with a new folio', () => {
    const [r] = run([
      [0, 1, 1, 'mmap', BASE, 4 * PAGE, 0],
      [1000, 1, 1, 'read', BASE + 8],
      [2000, 1, 1, 'read', BASE + 16],
      [3000, 1, 1, 'write', BASE + 24],
      [4000, 1, 1, 'read', BASE + 32],
    ]);
    expect(paths(r!, 'read')).toEqual({ zero: 1, hit: 2 });
    expect(paths(r!, 'write')).toEqual({ cow: 1 });
    expect(r!.summary.faults).toBe(2);
    expect(r!.summary.cow_copies).toBe(0); // copying the zero page is not a COW copy of data
    expect(r!.summary.integrity_violations).toBe(0);
  });

  it('a first write faults in a zeroed anonymous folio, then hits', () => {
    const [r] = run([
      [0, 1, 1, 'mmap', BASE, PAGE, 0],
      [1000, 1, 1, 'write', BASE],
      [2000, 1, 1, 'write', BASE + 1],
      [3000, 1, 1, 'read', BASE + 2],
    ]);
    expect(paths(r!, 'write')).toEqual({ anon: 1, hit: 1 });
    expect(paths(r!, 'read')).toEqual({ hit: 1 });
    expect(r!.summary.integrity_violations).toBe(0);
  });

  it('an access outside every VMA is a SIGSEGV without --auto-vma and a new VMA with it', () => {
    const rows: [number, number, number, 'read', number][] = [[0, 1, 1, 'read', BASE]];
    const [noAuto] = run(rows);
    expect(noAuto!.counters.sigsegv).toBe(1);
    const [auto] = run(rows, ['linux-6.12'], { autoVma: true });
    expect(auto!.counters.auto_vma_created).toBe(1);
    expect(paths(auto!, 'read')).toEqual({ zero: 1 });
  });

  it('the first write fault in a fresh VMA, per era: 6.4-6.9 skip the VMA lock for it, 6.10+ prepare the anon_vma under mmap_read_trylock', () => {
    const rows: Row[] = [
      [0, 1, 1, 'mmap', BASE, 2 * PAGE, 0],
      [1000, 1, 1, 'write', BASE],
      [2000, 1, 1, 'write', BASE + PAGE],
    ];
    const [r612, r68] = run(rows, ['linux-6.12', 'linux-6.8']);
    // 6.12: __vmf_anon_prepare() takes mmap_lock by trylock; no retry, no fallback.
    expect(r612!.counters.fault_retries ?? 0).toBe(0);
    expect(r612!.counters.vma_lock_fallbacks ?? 0).toBe(0);
    expect(r612!.locks.find((l) => l.lock === 'mmap_lock' && l.type === 'rwsem:R')!.acquisitions).toBe(1);
    // 6.8: lock_vma_under_rcu() refuses a VMA without anon_vma ("goto inval"): mmap_lock at once.
    expect(r68!.counters.fault_retries ?? 0).toBe(0);
    expect(r68!.counters.vma_lock_fallbacks).toBe(1);
    for (const r of [r612!, r68!]) expect(paths(r, 'write')).toEqual({ anon: 2 });
  });
});

describe('access_error()', () => {
  it('a write to a read-only VMA is a SIGSEGV, not an endless refault; reads still work', () => {
    const [r] = run([
      [0, 1, 1, 'mmap', BASE, PAGE, 4], // MAP read-only
      [100, 1, 1, 'read', BASE],
      [200, 1, 1, 'write', BASE],
      [300, 1, 1, 'read', BASE + 8],
    ]);
    expect(r!.counters.sigsegv).toBe(1);
    expect(paths(r!, 'write')).toEqual({ sigsegv: 1 });
    expect(paths(r!, 'read')).toEqual({ zero: 1, hit: 1 });
  });

  it('after mprotect(PROT_NONE) a read is a SIGSEGV; after PROT_READ|PROT_WRITE a write works again', () => {
    const [r] = run([
      [0, 1, 1, 'mmap', BASE, PAGE, 0],
      [100, 1, 1, 'write', BASE],
      [200, 1, 1, 'mprotect', BASE, PAGE, 0],
      [300, 1, 1, 'read', BASE],
      [400, 1, 1, 'mprotect', BASE, PAGE, 3],
      [500, 1, 1, 'write', BASE],
    ]);
    expect(r!.counters.sigsegv).toBe(1);
    expect(paths(r!, 'read')).toEqual({ sigsegv: 1 });
    expect(r!.summary.integrity_violations).toBe(0);
  });
});

describe('wp_page_shared()', () => {
  it('a write to a write-protected PTE of a shared writable mapping makes it writable in place, no copy', () => {
    const [r] = run([
      [0, 1, 1, 'mmap', BASE, PAGE, 1], // MAP_SHARED | MAP_ANONYMOUS (shmem)
      [100, 1, 1, 'write', BASE],
      [200, 1, 1, 'fork', 0, 0, 2],
      [100_000, 1, 1, 'mprotect', BASE, PAGE, 1],
      [110_000, 1, 1, 'mprotect', BASE, PAGE, 3],
      [120_000, 1, 1, 'write', BASE + 8],
      [200_000, 2, 2, 'read', BASE + 8], // the child shares the page: it must see the parent's write
    ]);
    expect(paths(r!, 'write')).toMatchObject({ 'wp-shared': 1 });
    expect(r!.summary.cow_copies).toBe(0);
    expect(r!.summary.integrity_violations).toBe(0);
  });
});
