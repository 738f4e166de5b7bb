import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCaptured } from '../helpers/cli.js';
import { tempDir } from '../helpers/sources.js';

/** A tiny perf script tracepoint trace (written inline: no recorded trace was in traces/ yet). */
const PERF = `${[
  'mtwork  1000/1001  [000] 100.000001: mmap_lock:mmap_lock_start_locking: mm=0xffff888100001000 memcg_id=1 write=true',
  'mtwork  1000/1001  [000] 100.000002: mmap_lock:mmap_lock_acquire_returned: mm=0xffff888100001000 memcg_id=1 write=true success=true',
  'mtwork  1000/1002  [001] 100.000003: exceptions:page_fault_user: address=0x7f0000001000 ip=0x401000 error_code=0x6',
  'mtwork  1000/1002  [001] 100.000004: mmap_lock:mmap_lock_start_locking: mm=0xffff888100001000 memcg_id=1 write=false',
  'mtwork  1000/1001  [000] 100.000010: mmap_lock:mmap_lock_released: mm=0xffff888100001000 memcg_id=1 write=true',
  'mtwork  1000/1002  [001] 100.000012: mmap_lock:mmap_lock_acquire_returned: mm=0xffff888100001000 memcg_id=1 write=false success=true',
  'mtwork  1000/1002  [001] 100.000013: exceptions:page_fault_user: address=0x7f0000001008 ip=0x401000 error_code=0x4',
  'mtwork  1000/1002  [001] 100.000020: mmap_lock:mmap_lock_released: mm=0xffff888100001000 memcg_id=1 write=false',
].join('\n')}\n`;

describe('mmreplay analyze', () => {
  it('writes locks.csv with measured mmap_lock statistics and the trace statistics files', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tiny.perf.txt'), PERF);
    const run = await runCaptured(['analyze', 'tiny.perf.txt', '-o', 'an'], dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('analyze: wrote 7 files to an\n');
    expect(readdirSync(join(dir, 'an')).sort()).toEqual([
      'analyze_ops.csv', 'analyze_processes.csv', 'analyze_threads.csv', 'hot_pages.csv', 'locks.csv', 'meta.json', 'working_set.csv']);
    // Write: acquired 1000 ns after start_locking (not above the 1000 ns threshold), held 8 us.
    // Read: waited 8 us (above the threshold: a contention), held 8 us.
    expect(readFileSync(join(dir, 'an', 'locks.csv'), 'utf8')).toBe(
      'policy,lock,type,acquisitions,contentions,wait_total_ns,wait_min_ns,wait_avg_ns,wait_max_ns,wait_p99_ns,hold_total_ns,hold_min_ns,hold_avg_ns,hold_max_ns,hold_p99_ns\n' +
      'recorded,mmap_lock,rwsem:R,1,1,8000,8000,8000,8000,8000,8000,8000,8000,8000,8000\n' +
      'recorded,mmap_lock,rwsem:W,1,0,0,0,0,0,0,8000,8000,8000,8000,8000\n');
    expect(readFileSync(join(dir, 'an', 'hot_pages.csv'), 'utf8')).toBe(
      'rank,pid,page,accesses,reads,writes,threads\n1,1000,0x7f0000001000,2,1,1,1\n');
    const meta = JSON.parse(readFileSync(join(dir, 'an', 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ kind: 'analyze', command_line: 'mmreplay analyze tiny.perf.txt -o an', trace: { path: 'tiny.perf.txt', rows: 8 }, contention_threshold_ns: 1000 });
    expect(meta.trace.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(run.stdout).toMatch(/│ mmap_lock +│ rwsem:W +│ recorded +│ +1 │ +0 │/);
    const again = await runCaptured(['report', 'an'], dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(run.stdout);
  });

  it('prints JSON with --json and rejects a bad --window', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 't.perf.txt'), PERF);
    const run = await runCaptured(['analyze', 't.perf.txt', '--json', '--window', '5000'], dir);
    expect(run.code).toBe(0);
    const data = JSON.parse(run.stdout);
    expect(data.meta.summary).toMatchObject({ events: 2, observations: 6, window_ns: 5000 });
    // Accesses at 2 us and 12 us after the first event: windows [0, 5 us) and [10 us, 15 us).
    expect(data.tables.working_set.map((w: { pages: number }) => w.pages)).toEqual([1, 0, 1]);
    const bad = await runCaptured(['analyze', 't.perf.txt', '--window', '-1'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--window: an integer from 1 to');
    expect((await runCaptured(['analyze', 'missing.csv'], dir)).code).toBe(2);
  });
});
