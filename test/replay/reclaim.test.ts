import { describe, expect, it } from 'vitest';
import { BASE, PAGE, paths, run, type Row } from './harness.js';

function byTs(rows: Row[]): Row[] {
  return [...rows].sort((a, b) => a[0] - b[0]);
}

/** Write `n` pages, then (from 10 ms) read them all back in order. */
function workingSet(n: number): Row[] {
  const rows: Row[] = [[0, 1, 1, 'mmap', BASE, n * PAGE, 0]];
  for (let p = 0; p < n; p++) rows.push([1000 + p, 1, 1, 'write', BASE + p * PAGE]);
  for (let p = 0; p < n; p++) rows.push([10_000_000 + p, 1, 1, 'read', BASE + p * PAGE]);
  return rows;
}

describe('reclaim under --memory-limit', () => {
  it('a limit below the working set makes later accesses swap in (zram), with no data lost', () => {
    const [free, limited] = [run(workingSet(256))[0]!, run(workingSet(256), ['linux-6.12'], { memoryLimitBytes: 128 * PAGE })[0]!];
    expect(free.summary.swapins).toBe(0);
    expect(free.counters.reclaim_freed ?? 0).toBe(0);
    expect(limited.counters.reclaim_freed).toBeGreaterThan(128);
    expect(limited.summary.swapins).toBeGreaterThan(100);
    expect(paths(limited, 'read').swapin).toBeGreaterThan(100);
    expect(limited.summary.integrity_violations).toBe(0);
  });

  it('on NVMe the write-out is asynchronous: reclaim keeps the folio in the swap cache until its writeback ends, then frees it', () => {
    const [r] = run(workingSet(256), ['linux-6.12'], { memoryLimitBytes: 128 * PAGE, swap: 'nvme' });
    expect(r!.counters.swap_writes).toBeGreaterThan(100);
    expect(r!.counters.reclaim_freed).toBeGreaterThan(64);
    // Reads of pages whose copy was still cached are swap-cache hits; the others read the device.
    const p = paths(r!, 'read');
    expect(p.swapin).toBeGreaterThan(0);
    expect(r!.summary.integrity_violations).toBe(0);
  });

  it('swap-cache swap-ins under memory pressure: readahead, reclaim and refaults keep every write', () => {
    // Two passes of writes then reads over 3x the limit, under each swapin variant.
    const rows: Row[] = [[0, 1, 1, 'mmap', BASE, 96 * PAGE, 0]];
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < 96; p++) rows.push([pass * 20_000_000 + 1000 + p, 1, 1, 'write', BASE + p * PAGE]);
      for (let p = 0; p < 96; p++) rows.push([pass * 20_000_000 + 10_000_000 + p, 1, 1, 'read', BASE + ((p * 7) % 96) * PAGE]);
    }
    for (const swap of ['zram', 'nvme'] as const) {
      const rs = run(rows, ['linux-2.6.34-rc', 'linux-5.10', 'linux-6.8', 'linux-6.12+swapin=swapcache'], { memoryLimitBytes: 32 * PAGE, swap });
      for (const r of rs) {
        expect(r.summary.swapins, `${r.policy} ${swap}`).toBeGreaterThan(0);
        expect(r.summary.integrity_violations, `${r.policy} ${swap}`).toBe(0);
        expect(r.summary.deadlocks).toBe(0);
      }
    }
  });

  it('clean file pages are dropped; dirty shared file pages are written back first and read back intact', () => {
    const FILE_SHARED = 2 + 1 + (3 << 8);
    const rows: Row[] = [[0, 1, 1, 'mmap', BASE, 64 * PAGE, FILE_SHARED], [0, 1, 1, 'mmap', BASE + (1 << 30), 64 * PAGE, 0]];
    for (let p = 0; p < 16; p++) rows.push([1000 + p, 1, 1, 'write', BASE + p * PAGE]);
    for (let p = 16; p < 64; p++) rows.push([1000 + p, 1, 1, 'read', BASE + p * PAGE]);
    // Anonymous pressure pushes the file pages out.
    for (let p = 0; p < 64; p++) rows.push([10_000_000 + p, 1, 1, 'write', BASE + (1 << 30) + p * PAGE]);
    for (let p = 0; p < 64; p++) rows.push([30_000_000 + p, 1, 1, 'read', BASE + p * PAGE]);
    const [r] = run(byTs(rows), ['linux-6.12'], { memoryLimitBytes: 48 * PAGE });
    expect(r!.counters.disk_writes).toBeGreaterThan(0);
    expect(r!.counters.disk_write_pages).toBeLessThanOrEqual(16);
    expect(r!.counters.disk_read_pages).toBeGreaterThan(64);
    expect(r!.summary.integrity_violations).toBe(0);
  });
});

describe('MADV_PAGEOUT (swapout)', () => {
  it('reclaims only what it can: a racing swap-cache fault holds a reference, so the refcount freeze fails and the folio stays', () => {
    // tid 1 pages a page out while tid 2 reads it 0..6 us later (one page per round).
    const N = 60;
    const rows: Row[] = [[0, 1, 1, 'mmap', BASE, N * PAGE, 0]];
    for (let p = 0; p < N; p++) rows.push([1000 + p, 1, 1, 'write', BASE + p * PAGE]);
    for (let p = 0; p < N; p++) {
      const t = 1_000_000 + p * 100_000;
      rows.push([t, 1, 1, 'swapout', BASE + p * PAGE, PAGE]);
      rows.push([t + p * 100, 1, 2, 'read', BASE + p * PAGE]);
    }
    const [r] = run(byTs(rows), ['linux-6.12']);
    const freed = r!.counters.reclaim_freed ?? 0;
    expect(freed).toBeLessThan(N);
    expect(paths(r!, 'read').swapcache).toBeGreaterThan(0);
    expect(r!.summary.integrity_violations).toBe(0);
  });

  it('leaves an anonymous page mapped by two processes alone (folio mapcount != 1)', () => {
    const rows = byTs([
      [0, 1, 1, 'mmap', BASE, 2 * PAGE, 0],
      [1000, 1, 1, 'write', BASE],
      [2000, 1, 1, 'fork', 0, 0, 2],
      [3_000_000, 1, 1, 'write', BASE + PAGE],
      [4_000_000, 1, 1, 'swapout', BASE, 2 * PAGE],
      [5_000_000, 2, 2, 'read', BASE],
      [5_000_000, 1, 1, 'read', BASE + PAGE],
    ]);
    const [r] = run(rows);
    // Page 0 is shared with the child (mapcount 2): only page 1 is paged out.
    expect(r!.counters.pageout_isolated).toBe(1);
    expect(r!.counters.reclaim_freed).toBe(1);
    expect(r!.summary.swapins).toBe(1);
    expect(r!.summary.integrity_violations).toBe(0);
  });
});
