/**
 * mmap_lock is a fair rwsem (docs/kernel-sources.md A): a writer queued behind a reader blocks the readers
 * that come after it, so a fault that must take mmap_lock waits for the reader ahead of the
 * writer and then for the writer, although the lock is only read-held when it arrives.
 */
import { describe, expect, it } from 'vitest';
import type { PolicyResult } from '../../src/replay/result.js';
import { BASE, PAGE, run, type Row } from './harness.js';

const FILE_RO = 2 + 4 + (1 << 8); // MAP_PRIVATE file 1, read-only
const ANON = BASE + (1 << 30);
const GHZ = 3;

/**
 * tid 2 reads a file page from an HDD (a major fault that, before 5.1, holds mmap_lock for read
 * across the disk read); `writer`: tid 1 then munmaps a page of another region (mmap_lock for
 * write, queued behind tid 2); tid 3 then writes a fresh anonymous page (a fault).
 */
function rows(writer: boolean): Row[] {
  const r: Row[] = [
    [0, 1, 1, 'mmap', BASE, 16 * PAGE, FILE_RO],
    [0, 1, 1, 'mmap', ANON, 16 * PAGE, 0],
    [10_000, 1, 2, 'read', BASE + 8],
    [30_000, 1, 3, 'write', ANON],
  ];
  if (writer) r.push([20_000, 1, 1, 'munmap', ANON + 8 * PAGE, PAGE]);
  return r.sort((a, b) => a[0] - b[0]);
}

/** Latency in ns of the one row of `op`. */
function latencyNs(r: PolicyResult, op: string): number {
  const rows = r.latency.filter((l) => l.op === op);
  expect(rows.reduce((a, l) => a + l.hist.count, 0)).toBe(1);
  return rows[0]!.hist.max / GHZ;
}

function lockRow(r: PolicyResult, type: string) {
  return r.locks.find((l) => l.lock === 'mmap_lock' && l.type === type)!;
}

describe('mmap_lock: a queued writer delays later readers', () => {
  it('a fault that must take mmap_lock waits behind a writer queued on a read-held lock', () => {
    const opts = { disk: 'hdd' as const, cpuGhz: GHZ };
    const [alone] = run(rows(false), ['linux-2.6.34-rc'], opts);
    const [queued] = run(rows(true), ['linux-2.6.34-rc'], opts);
    const read = latencyNs(queued!, 'read');
    // The HDD read takes milliseconds, with mmap_lock read-held throughout.
    expect(read).toBeGreaterThan(1_000_000);
    expect(lockRow(queued!, 'rwsem:R').hold.max / GHZ).toBeGreaterThan(1_000_000);
    // Without the writer, tid 3 shares the read lock at once.
    expect(latencyNs(alone!, 'write')).toBeLessThan(50_000);
    // With it, tid 3 waits for the reader ahead of the writer (the read ends about 10 us + read
    // after t=0; tid 3 arrives at 30 us), then for the writer's munmap.
    const write = latencyNs(queued!, 'write');
    expect(write).toBeGreaterThan(read - 30_000);
    expect(latencyNs(queued!, 'munmap')).toBeGreaterThan(read - 20_000);
    expect(latencyNs(queued!, 'munmap')).toBeLessThan(write + 10_000);
    // One contended acquisition of each kind: the writer's and tid 3's.
    expect(lockRow(queued!, 'rwsem:W').contentions).toBe(1);
    expect(lockRow(queued!, 'rwsem:R').contentions).toBe(1);
    expect(lockRow(alone!, 'rwsem:R').contentions).toBe(0);
    for (const r of [alone!, queued!]) {
      expect(r.summary.deadlocks).toBe(0);
      expect(r.summary.integrity_violations).toBe(0);
    }
  });
});
