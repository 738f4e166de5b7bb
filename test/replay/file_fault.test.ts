import { describe, expect, it } from 'vitest';
import { BASE, PAGE, paths, run, type Row } from './harness.js';
import type { PolicyResult } from '../../src/replay/result.js';

/** mmap arg: file-backed (bit 1), shared (bit 0), read-only (bit 2), file id in bits 8-31. */
function fileArg(id: number, o: { shared?: boolean; ro?: boolean } = {}): number {
  return 2 + (o.shared ? 1 : 0) + (o.ro ? 4 : 0) + id * 256;
}

function lock(r: PolicyResult, name: string, type: string) {
  return r.locks.find((l) => l.lock === name && l.type === type);
}

function byTs(rows: Row[]): Row[] {
  return [...rows].sort((a, b) => a[0] - b[0]);
}

/** Read `n` pages of a fresh file mapping: in order, or scattered (page i * 37 mod n). */
function scan(n: number, order: 'seq' | 'scattered'): Row[] {
  const rows: Row[] = [[0, 1, 1, 'mmap', BASE, n * PAGE, fileArg(1, { ro: true })]];
  for (let i = 0; i < n; i++) {
    const p = order === 'seq' ? i : (i * 37) % n;
    rows.push([1000 + i, 1, 1, 'read', BASE + p * PAGE + 16]);
  }
  return rows;
}

describe('filemap_fault: page cache, read-around and readahead', () => {
  it('a sequential scan becomes few, large reads (read-around, async readahead, fault-around)', () => {
    const N = 1024;
    const [seq] = run(scan(N, 'seq'), ['linux-6.12']);
    const c = seq!.counters;
    // 32-page windows: about N/32 requests, each many pages; every page read once.
    expect(c.disk_read_pages).toBe(N);
    expect(c.disk_reads).toBeLessThanOrEqual(N / 32 + 2);
    expect(c.disk_read_pages! / c.disk_reads!).toBeGreaterThanOrEqual(16);
    // Fault-around maps most pages without a fault of their own.
    expect(seq!.summary.faults).toBeLessThan(N / 8);
    expect(c.fault_around_pages).toBeGreaterThan(N / 2);
    expect(seq!.summary.integrity_violations).toBe(0);
  });

  it('random reads of a big file: read-around stops once mmap_miss passes MMAP_LOTSAMISS, unless retries cancel the misses', () => {
    const N = 65536;
    const rows: Row[] = [[0, 1, 1, 'mmap', BASE, N * PAGE, fileArg(1, { ro: true })]];
    let x = 7;
    for (let i = 0; i < 400; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      rows.push([1000 + i, 1, 1, 'read', BASE + (x % N) * PAGE]);
    }
    const [noretry, retry] = run(rows, ['linux-2.6.34-rc', 'linux-6.12']);
    // No retry: the first 100 misses read 32 pages around the fault; after that mostly one page
    // each (fault-around hits in earlier windows credit mmap_miss back now and then).
    const c = noretry!.counters;
    expect(c.file_readahead_windows).toBeGreaterThanOrEqual(100);
    expect(c.file_readaround_skipped).toBeGreaterThan(100);
    expect(c.file_single_page_reads).toBe(c.file_readaround_skipped);
    // With FAULT_FLAG_ALLOW_RETRY the retry's fault-around maps the page the miss just read
    // and counts it as a hit (filemap_map_pages), cancelling the miss: read-around never stops
    // (the accounting lore's "mm/filemap: tighten mmap_miss hit accounting" RFC describes).
    expect(retry!.counters.file_readaround_skipped ?? 0).toBe(0);
    expect(retry!.counters.disk_read_pages! / retry!.counters.disk_reads!).toBeGreaterThan(16);
    for (const r of [noretry!, retry!]) expect(r.summary.integrity_violations).toBe(0);
  });

  it('two threads missing the same page: one read, the other waits for it', () => {
    const rows = byTs([
      [0, 1, 1, 'mmap', BASE, 64 * PAGE, fileArg(1, { ro: true })],
      [10_000, 1, 1, 'read', BASE],
      [10_000, 1, 2, 'read', BASE],
    ]);
    const [r] = run(rows, ['linux-6.12']);
    expect(r!.counters.disk_reads).toBe(1);
    expect(r!.summary.major_faults).toBeGreaterThanOrEqual(1);
    expect(paths(r!, 'read')).toEqual({ file: 2 });
  });
});

describe('do_fault: private COW, shared writes, shmem', () => {
  it('a write to a private file mapping copies the page (do_cow_fault); a shared mapping of the file still reads the file', () => {
    const rows = byTs([
      [0, 1, 1, 'mmap', BASE, 4 * PAGE, fileArg(1)],
      [0, 1, 1, 'mmap', BASE + (1 << 30), 4 * PAGE, fileArg(1, { shared: true })],
      [10_000, 1, 1, 'read', BASE],
      [20_000, 1, 1, 'write', BASE + PAGE],
      [30_000, 1, 1, 'read', BASE + PAGE],
      [40_000, 1, 1, 'read', BASE + (1 << 30) + PAGE],
    ]);
    const [r] = run(rows, ['linux-6.12']);
    expect(r!.summary.cow_copies).toBe(1);
    expect(r!.summary.integrity_violations).toBe(0);
  });

  it('a write through a shared file mapping is seen by another process mapping the file', () => {
    const rows = byTs([
      [0, 1, 1, 'mmap', BASE, 4 * PAGE, fileArg(2, { shared: true })],
      [0, 2, 2, 'mmap', BASE, 4 * PAGE, fileArg(2, { shared: true })],
      [10_000, 1, 1, 'write', BASE + 8],
      [500_000, 2, 2, 'read', BASE + 8],
      [600_000, 2, 2, 'write', BASE + PAGE],
      [900_000, 1, 1, 'read', BASE + PAGE],
    ]);
    const [r] = run(rows, ['linux-6.12']);
    expect(r!.summary.cow_copies).toBe(0);
    expect(r!.summary.integrity_violations).toBe(0);
  });

  it('MAP_SHARED anonymous memory is a page-cache object without disk I/O', () => {
    const rows = byTs([
      [0, 1, 1, 'mmap', BASE, 8 * PAGE, 1],
      [10_000, 1, 1, 'read', BASE],
      [20_000, 1, 2, 'write', BASE + 8],
      [30_000, 1, 1, 'read', BASE + 16],
      [40_000, 1, 2, 'write', BASE + 3 * PAGE],
    ]);
    const [r] = run(rows, ['linux-6.12']);
    expect(r!.counters.disk_reads ?? 0).toBe(0);
    expect(r!.summary.major_faults).toBe(0);
    expect(paths(r!, 'read')).toEqual({ file: 1, hit: 1 });
    expect(r!.summary.integrity_violations).toBe(0);
  });
});

describe('file_fault_lock: which lock file faults take', () => {
  // tid 1 reads 8 pages far apart (each a major fault), then re-reads them (all cached).
  const rows: Row[] = [[0, 1, 1, 'mmap', BASE, 1024 * PAGE, fileArg(1, { ro: true })]];
  for (let i = 0; i < 8; i++) rows.push([10_000 + i, 1, 1, 'read', BASE + i * 128 * PAGE]);
  rows.push([5_000_000, 1, 1, 'discard', BASE, 1024 * PAGE]);
  for (let i = 0; i < 8; i++) rows.push([6_000_000 + i, 1, 1, 'read', BASE + i * 128 * PAGE]);
  const [v64, v66, v612] = run(rows, ['linux-6.4', 'linux-6.6', 'linux-6.12']);

  it('6.4 (mmap): file faults never try the VMA lock', () => {
    expect(lock(v64!, 'vma_lock', 'rwsem:R')?.acquisitions ?? 0).toBe(0);
    expect(lock(v64!, 'mmap_lock', 'rwsem:R')!.acquisitions).toBeGreaterThanOrEqual(16);
  });

  it('6.5-6.6 (vma-fallback): VMA-locked; fault-around maps cached pages there, ->fault means VM_FAULT_RETRY to mmap_lock', () => {
    expect(lock(v66!, 'vma_lock', 'rwsem:R')!.acquisitions).toBe(16);
    expect(v66!.counters.file_fault_vma_retries).toBe(8);
    // That retry is not a major fault, so no FAULT_FLAG_TRIED: under mmap_lock the read drops
    // it once more and retries again (2 per major fault), plus MADV_DONTNEED's.
    expect(lock(v66!, 'mmap_lock', 'rwsem:R')!.acquisitions).toBe(2 * 8 + 1);
  });

  it('6.7+ (vma): cached pages are mapped under the VMA lock alone; a major fault drops it for the read and retries under mmap_lock', () => {
    expect(v612!.counters.file_fault_vma_retries ?? 0).toBe(0);
    // 8 majors retried (the I/O dropped the VMA lock); the 8 minor re-reads needed no mmap_lock
    // (its one other reader is MADV_DONTNEED).
    expect(v612!.counters.fault_retries).toBe(8);
    expect(lock(v612!, 'mmap_lock', 'rwsem:R')!.acquisitions).toBe(8 + 1);
    for (const r of [v64!, v66!, v612!]) expect(r.summary.integrity_violations).toBe(0);
  });

  it('mmap-noretry holds mmap_lock across the disk read; mmap drops it', () => {
    const [noretry, retry] = run(rows, ['linux-2.6.34-rc', 'linux-5.10'], { disk: 'hdd' });
    expect(lock(noretry!, 'mmap_lock', 'rwsem:R')!.hold.max).toBeGreaterThan(3 * 3_000_000);
    expect(lock(retry!, 'mmap_lock', 'rwsem:R')!.hold.max).toBeLessThan(3 * 50_000);
    expect(retry!.counters.fault_retries).toBe(8);
  });
});
