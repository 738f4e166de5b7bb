/**
 * Every committed synthetic trace (traces/*.csv), loaded as `mmreplay replay` loads it and
 * replayed under every preset: no emulator error, no deadlock, no access outside a VMA, no DMA
 * without a reference, no kernel BUG except where the debate predicts one (vma-adjust-race under
 * rmap_lock=none), and no lost write on the paths that cannot lose one.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadEventTable } from '../../src/ingest/load.js';
import { replay } from '../../src/replay/replay.js';
import { parsePolicy, PRESET_NAMES } from '../../src/replay/policies/presets.js';
import type { MachineConfig } from '../../src/replay/result.js';
import { DEFAULT_MACHINE } from './harness.js';

async function* chunks(b: Uint8Array): AsyncIterable<Uint8Array> {
  yield b;
}

async function replayTrace(name: string, machine: Partial<MachineConfig>) {
  const path = `traces/${name}.csv`;
  const t = await loadEventTable([{ name: path, chunks: chunks(readFileSync(path)) }]);
  return replay(t.columns, {
    machine: { ...DEFAULT_MACHINE, ...machine },
    policies: PRESET_NAMES.map((p) => parsePolicy(p)),
    trace: { path, sha256: '-', rows: t.rows },
  }).policies;
}

describe('committed scenario traces under every preset', () => {
  const cases: [string, Partial<MachineConfig>][] = [
    ['zram-swapin', { swap: 'zram' }],
    ['zram-swapin', { swap: 'nvme' }],
    ['swapin-race', { swap: 'zram' }],
    ['mmap-vs-file-reads', { disk: 'nvme' }],
    ['mmap-vs-file-reads', { disk: 'hdd' }],
    ['mixed', { swap: 'zram', disk: 'nvme' }],
    ['mixed', { swap: 'nvme', disk: 'hdd', memoryLimitBytes: 16 << 20 }],
    ['gup-after-fork', {}],
    ['migration-selftest', {}],
    ['pft', {}],
    ['vma-adjust-race', {}],
  ];
  for (const [name, machine] of cases) {
    it(`${name} ${JSON.stringify(machine)}`, async () => {
      const rs = await replayTrace(name, machine);
      expect(rs.length).toBe(PRESET_NAMES.length);
      for (const r of rs) {
        expect(r.summary.deadlocks, r.policy).toBe(0);
        for (const warning of ['sigsegv', 'dma_without_reference', 'threads_never_started']) expect(r.counters[warning], `${r.policy} ${warning}`).toBeUndefined();
        // Stale migration entries are the 2010 race's finding under rmap_lock=none, nowhere else.
        if (r.variants.rmap_lock !== 'none') expect(r.findings.filter((f) => f.kind === 'kernel_bug'), r.policy).toEqual([]);
        const canLose = name === 'mixed' || r.variants.swapin === 'skip' || (name === 'gup-after-fork' && r.variants.fork_cow === 'share' && r.variants.wp_reuse === 'refcount');
        if (!canLose) expect(r.summary.integrity_violations, r.policy).toBe(0);
      }
      if (name === 'zram-swapin' && machine.swap === 'zram') {
        // One swap-in per page under every preset; the swap cache reads ahead (fewer faults read).
        for (const r of rs) expect(r.summary.swapins, r.policy).toBe(1024);
      }
    });
  }
});
