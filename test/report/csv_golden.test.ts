/**
 * Golden tests: the hand-built result of fixture.ts (2 GHz, so ns = cycles / 2) -> the exact text
 * of every CSV file. The expected figures were worked out by hand from the histogram's bucket
 * rule (64 sub-buckets per power of two; a percentile is its bucket's upper bound clamped to
 * [min, max]), e.g. 400 cycles lies in bucket [400, 403] -> p50 = 403 cycles = 201.5 ns -> 202.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReplayOutputs } from '../helpers/outputs.js';
import { tempDir } from '../helpers/sources.js';
import { smallResult } from './fixture.js';

const SUMMARY = `policy,events,faults,major_faults,makespan_ns,fault_mean_ns,fault_p50_ns,fault_p99_ns,fault_max_ns,mmap_lock_wait_ns,vma_lock_wait_ns,migrate_pages,migrate_ok,migrate_failed,refcount_failures,cow_copies,fork_copies,swapins,duplicate_swapins,integrity_violations,stale_migration_entries,deadlocks
linux-2.6.34-rc,10,4,1,1000000,7700,202,30000,30000,3000,0,2,1,1,3,1,0,1,0,1,0,1
linux-6.12,10,4,0,500000,1175,101,4000,4000,0,200,2,2,0,0,1,0,1,0,0,0,0
`;

const LATENCY = `policy,op,path,count,mean_ns,p50_ns,p90_ns,p99_ns,p999_ns,max_ns,total_ns
linux-2.6.34-rc,read,anon,2,150,101,200,200,200,200,300
linux-2.6.34-rc,read,swapin,1,30000,30000,30000,30000,30000,30000,30000
linux-2.6.34-rc,write,cow,1,500,500,500,500,500,500,500
linux-6.12,read,anon,2,100,100,100,100,100,100,200
linux-6.12,read,swapin,1,4000,4000,4000,4000,4000,4000,4000
linux-6.12,write,cow,1,500,500,500,500,500,500,500
`;

const LOCKS = `policy,lock,type,acquisitions,contentions,wait_total_ns,wait_min_ns,wait_avg_ns,wait_max_ns,wait_p99_ns,hold_total_ns,hold_min_ns,hold_avg_ns,hold_max_ns,hold_p99_ns
linux-2.6.34-rc,mmap_lock,rwsem:R,5,0,0,0,0,0,0,50,10,10,10,10
linux-2.6.34-rc,mmap_lock,rwsem:W,2,1,3000,3000,3000,3000,3000,200,50,100,150,150
linux-6.12,mmap_lock,rwsem:W,2,0,0,0,0,0,0,200,50,100,150,150
linux-6.12,vma_lock,rwsem:R,4,1,200,200,200,200,200,4700,100,1175,4000,4000
`;

const REFCOUNT = `policy,path,outcome,holder,count
linux-2.6.34-rc,migrate,eagain,migration-wait,2
linux-2.6.34-rc,migrate,failed,migration-wait,1
linux-2.6.34-rc,migrate,ok,-,1
linux-6.12,migrate,ok,-,2
`;

const INTEGRITY = `policy,kind,count,first_tid,first_addr,first_ts_ns
linux-2.6.34-rc,lost_write,1,101,0x7f0000001000,61728
`;

/**
 * fault_cdf.csv by hand: quantiles 0, 0.01 .. 0.99, 0.999, 0.9999, 1; rank = max(1, ceil(q * 4)).
 * Old policy (200, 400, 1000, 60000 cycles): ranks 1..4 -> 201, 403, 1007, 60000 cycles
 * -> 101, 202, 504, 30000 ns. New policy (200, 200, 1000, 8000): 101, 101, 504, 4000 ns.
 */
function expectedCdf(): string {
  const qs = [...Array.from({ length: 100 }, (_, i) => `${i === 0 ? '0' : `0.${String(i).padStart(2, '0')}`}`), '0.999', '0.9999', '1']
    .map((q) => q.replace(/0$/, '').replace(/\.$/, '') || '0');
  const rank = (q: string) => Math.max(1, Math.ceil(Number(q) * 4));
  const lines = ['policy,quantile,ns'];
  for (const [policy, ns] of [['linux-2.6.34-rc', [101, 202, 504, 30000]], ['linux-6.12', [101, 101, 504, 4000]]] as const) {
    for (const q of qs) lines.push(`${policy},${q},${ns[rank(q) - 1]}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('replay output files (golden)', () => {
  it('writes the exact CSV text of every file, in ns', async () => {
    const dir = join(tempDir(), 'run');
    writeReplayOutputs(smallResult(), dir, { unit: 'ns', commandLine: 'mmreplay replay tiny.csv', toolVersion: '9.9.9' });
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    expect(read('summary.csv')).toBe(SUMMARY);
    expect(read('latency.csv')).toBe(LATENCY);
    expect(read('locks.csv')).toBe(LOCKS);
    expect(read('refcount.csv')).toBe(REFCOUNT);
    expect(read('integrity.csv')).toBe(INTEGRITY);
    expect(read('fault_cdf.csv')).toBe(expectedCdf());
  });

  it('switches time columns to _cycles with --unit cycles', async () => {
    const dir = join(tempDir(), 'run');
    writeReplayOutputs(smallResult(), dir, { unit: 'cycles', commandLine: '', toolVersion: '0' });
    const summary = readFileSync(join(dir, 'summary.csv'), 'utf8').split('\n');
    expect(summary[0]).toBe('policy,events,faults,major_faults,makespan_cycles,fault_mean_cycles,fault_p50_cycles,fault_p99_cycles,fault_max_cycles,mmap_lock_wait_cycles,vma_lock_wait_cycles,migrate_pages,migrate_ok,migrate_failed,refcount_failures,cow_copies,fork_copies,swapins,duplicate_swapins,integrity_violations,stale_migration_entries,deadlocks');
    expect(summary[1]).toBe('linux-2.6.34-rc,10,4,1,2000000,15400,403,60000,60000,6000,0,2,1,1,3,1,0,1,0,1,0,1');
    expect(readFileSync(join(dir, 'integrity.csv'), 'utf8')).toBe('policy,kind,count,first_tid,first_addr,first_ts_cycles\nlinux-2.6.34-rc,lost_write,1,101,0x7f0000001000,123456\n');
    expect(readFileSync(join(dir, 'fault_cdf.csv'), 'utf8').split('\n')[0]).toBe('policy,quantile,cycles');
  });

  it('writes meta.json with run, trace, policies, machine, costs, counters and findings', async () => {
    const dir = join(tempDir(), 'run');
    writeReplayOutputs(smallResult(), dir, {
      unit: 'ns', commandLine: 'mmreplay replay tiny.csv', toolVersion: '9.9.9',
      counterDefs: [{ name: 'replay.timer_interrupts', severity: 'info', description: 'timer ticks delivered' }],
    });
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({
      kind: 'replay',
      tool: { name: 'mmreplay', version: '9.9.9' },
      command_line: 'mmreplay replay tiny.csv',
      trace: { path: 'traces/tiny.csv', sha256: 'ab'.repeat(32), rows: 10 },
      unit: 'ns',
      seed: 1,
      machine: { cpus: 2, nodes: 2, cpuGhz: 2, hz: 1000, memoryLimitBytes: null, swap: 'zram', disk: 'nvme', timing: 'trace', autoVma: false, seed: 1 },
      costs: { pte_walk: 40, page_copy: 1200 },
      policies: [
        { label: 'linux-2.6.34-rc', variants: { fault_lock: 'mmap-noretry', swapin: 'swapcache' } },
        { label: 'linux-6.12', variants: { fault_lock: 'vma-retry', swapin: 'skip-prepare-wq' } },
      ],
      counters: [
        { policy: 'linux-2.6.34-rc', counters: { 'replay.timer_interrupts': 7 } },
        { policy: 'linux-6.12', counters: { 'replay.timer_interrupts': 3 } },
      ],
      counter_defs: { 'replay.timer_interrupts': { severity: 'info', description: 'timer ticks delivered' } },
      findings: [{
        policy: 'linux-2.6.34-rc', kind: 'deadlock', message: 'tid 101 and tid 102 wait for each other', cycles: 1_999_000, ns: 999_500,
        detail: ['tid 101 waits for mmap_lock (rwsem:W) held by tid 102', 'tid 102 waits for folio_lock held by tid 101'],
      }],
      files: ['summary.csv', 'latency.csv', 'locks.csv', 'refcount.csv', 'integrity.csv', 'fault_cdf.csv', 'meta.json'],
    });
    expect(meta.percentiles.relative_error).toBe(1 / 64);
  });

  it('writes byte-identical files for identical results', async () => {
    const a = join(tempDir(), 'a');
    const b = join(tempDir(), 'b');
    const opts = { unit: 'ns' as const, commandLine: 'x', toolVersion: '1' };
    const pa = (writeReplayOutputs(smallResult(), a, opts)).paths;
    const pb = (writeReplayOutputs(smallResult(), b, opts)).paths;
    expect(pa.length).toBe(7);
    pa.forEach((p, i) => expect(readFileSync(p)).toEqual(readFileSync(pb[i]!)));
  });
});
