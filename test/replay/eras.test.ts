/**
 * Era facts of the presets (src/replay/policies/eras.ts, docs/era-findings.md): each test
 * replays a tiny trace under two presets on either side of the release that changed the
 * behaviour and fails if the older preset behaved as the newer one (the model before these
 * era fields applied the newer behaviour to every preset).
 */
import { describe, expect, it } from 'vitest';
import { BASE, PAGE, paths, run, type Row } from './harness.js';
import { ERAS } from '../../src/replay/policies/eras.js';
import { PRESET_NAMES, parsePolicy } from '../../src/replay/policies/presets.js';
import type { PolicyResult } from '../../src/replay/result.js';

const lat = (r: PolicyResult, op: string) => r.latency.find((l) => l.op === op)!.hist;

describe('era facts per preset', () => {
  it("every preset has its era, and an override keeps its preset's era", () => {
    for (const p of PRESET_NAMES) expect(ERAS[p], p).toBeDefined();
    expect(parsePolicy('linux-2.6.34-rc+migration_wait=ptl').era.release).toBe('2.6.34');
    expect(parsePolicy('linux-2.6.34-rc+migration_wait=ptl').era.movePagesMmapLockAcross).toBe(true);
    expect(parsePolicy('fault_lock=vma-wait', 'linux-6.8').era.release).toBe('6.8');
  });

  it('fault-around (3.15+): 2.6.34 maps one file page per fault, 5.8 maps the cached pages around it', () => {
    const FILE_PRIVATE = 2 + (1 << 8); // file 1, private, read-write
    const rows: Row[] = [[0, 1, 1, 'mmap', BASE, 64 * PAGE, FILE_PRIVATE]];
    for (let p = 0; p < 16; p++) rows.push([1_000_000 + p * 100_000, 1, 1, 'read', BASE + p * PAGE]);
    const [old, neu] = run(rows, ['linux-2.6.34-rc', 'linux-5.8']);
    expect(old!.counters.fault_around_pages ?? 0).toBe(0);
    expect(old!.summary.faults).toBe(16);
    expect(neu!.counters.fault_around_pages).toBeGreaterThan(0);
    expect(neu!.summary.faults).toBeLessThan(16);
  });

  it('GUP-fast against fork (5.11+, 57efa1fe5957): a pin during fork backs off to mmap_lock under 6.1, not under 5.10', () => {
    // 512 pages faulted in, then thread 1 forks (copy_page_range write-protects them one by one,
    // mmap_lock held for write) while thread 2 pins an already-present page 55 us into it, during copy_page_range().
    const rows: Row[] = [[0, 1, 1, 'mmap', BASE, 1024 * PAGE, 0], [10, 1, 1, 'write', BASE, 512 * PAGE]];
    rows.push([5_000_000, 1, 1, 'fork', 0, 0, 3]);
    rows.push([5_055_000, 1, 2, 'pin', BASE + 400 * PAGE, PAGE, 0]);
    const [r510, r61] = run(rows, ['linux-5.10', 'linux-6.1']);
    // 5.10: the lockless walk takes the pin at once; 6.1: the seqcount is odd, the slow path
    // waits for fork's mmap_lock.
    expect(lat(r61!, 'pin').max).toBeGreaterThan(10 * lat(r510!, 'pin').max);
    expect(r61!.locks.find((l) => l.lock === 'mmap_lock' && l.type === 'rwsem:R')!.contentions).toBeGreaterThan(0);
  });

  it('6.4: a fault on a migration entry under the VMA lock retries under mmap_lock first; 6.6 waits under the VMA lock', () => {
    const rows: Row[] = [[0, 1, 1, 'mmap', BASE, 16 * PAGE, 0], [100, 1, 1, 'write', BASE], [200, 1, 2, 'write', BASE + 8 * PAGE]];
    for (let i = 0; i < 20; i++) rows.push([1_000_000 + i * 6000, 1, 1, 'migrate', BASE, PAGE, i % 2 === 0 ? 1 : 0]);
    for (let t = 995_000; t < 1_130_000; t += 300) rows.push([t, 1, 2, 'read', BASE]);
    const [r64, r66] = run(rows.sort((a, b) => a[0] - b[0]), ['linux-6.4', 'linux-6.6']);
    expect(r64!.counters.migration_entry_waits).toBeGreaterThan(0);
    expect(r64!.counters.swap_fault_vma_retries).toBeGreaterThan(0);
    expect(r66!.counters.migration_entry_waits).toBeGreaterThan(0);
    expect(r66!.counters.swap_fault_vma_retries ?? 0).toBe(0);
  });

});
