import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { runCaptured } from '../helpers/cli.js';
import { tempDir } from '../helpers/sources.js';

const TRACE = [
  'ts,pid,tid,op,addr,len,arg',
  '0,1,1,mmap,0x7f0000000000,16384,0',
  '100,1,1,write,0x7f0000000000,,',
  '200,1,1,read,0x7f0000001008,,',
  '300,1,1,read,0x7f0000000010,,',
  '400,1,2,write,0x7f0000002000,,',
  '500,1,2,compute,0,0,1000',
].join('\n');

function workdir(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 't.csv'), `${TRACE}\n`);
  return dir;
}

describe('mmreplay replay', () => {
  it('writes every output file and one events.arrow row per event per policy', async () => {
    const dir = workdir();
    const r = await runCaptured(['replay', 't.csv', '--policy', 'linux-6.12', '--policy', 'linux-6.1', '-o', 'run'], dir);
    expect(r.stderr).toContain('wrote');
    expect(r.code).toBe(0);
    const files = readdirSync(join(dir, 'run')).sort();
    expect(files).toEqual(['events.arrow', 'fault_cdf.csv', 'integrity.csv', 'latency.csv', 'locks.csv', 'meta.json', 'refcount.csv', 'summary.csv']);
    const summary = readFileSync(join(dir, 'run', 'summary.csv'), 'utf8').trim().split('\n');
    expect(summary[0]).toMatch(/^policy,events,faults,major_faults,makespan_ns,fault_mean_ns,/);
    expect(summary.slice(1).map((l) => l.split(',')[0])).toEqual(['linux-6.12', 'linux-6.1']);
    const events = tableFromIPC(readFileSync(join(dir, 'run', 'events.arrow')));
    expect(events.numRows).toBe(2 * 6);
    const first = events.get(0)!.toJSON();
    expect(first).toMatchObject({ policy: 'linux-6.12', row: 0, tid: 1, op: 'mmap', path: 'mmap', outcome: 'ok', retries: 0 });
    const paths = events.getChild('path')!.toArray() as string[];
    expect(paths.filter((p) => p === 'hit')).toHaveLength(2); // read of the zero page + read of the written page
    expect(r.stdout).toContain('Summary');
  });

  it('--no-events skips events.arrow; --unit cycles renames time columns', async () => {
    const dir = workdir();
    const r = await runCaptured(['replay', 't.csv', '--no-events', '--unit', 'cycles', '-o', 'run'], dir);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'run', 'events.arrow'))).toBe(false);
    expect(readFileSync(join(dir, 'run', 'summary.csv'), 'utf8')).toMatch(/makespan_cycles/);
  });

  it('bad input exits 2 with file, line and the quoted text, and leaves no run directory', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.csv'), 'ts,pid,tid,op,addr,len,arg\n0,1,1,frobnicate,0x1000,,\n');
    const r = await runCaptured(['replay', 'bad.csv', '-o', 'run'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.csv:2:.*"frobnicate"/);
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });

  it('a migrate to a node not below --nodes is an input error naming the row', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'm.csv'), 'ts,pid,tid,op,addr,len,arg\n0,1,1,mmap,0x7f0000000000,4096,0\n1,1,1,migrate,0x7f0000000000,4096,3\n');
    const r = await runCaptured(['replay', 'm.csv', '--nodes', '2', '-o', 'run'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/row 1.*node 3|node 3.*row 1/);
  });

  it('rejects an unknown policy, baseline or bad --memory-limit with exit 2', async () => {
    const dir = workdir();
    expect((await runCaptured(['replay', 't.csv', '--policy', 'linux-9.9'], dir)).code).toBe(2);
    expect((await runCaptured(['replay', 't.csv', '--baseline', 'linux-6.1'], dir)).code).toBe(2);
    const m = await runCaptured(['replay', 't.csv', '--memory-limit', '12 parsecs'], dir);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('"12 parsecs"');
  });

  it('--costs overrides a figure and rejects unknown names', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'slow.json'), JSON.stringify({ fault_entry: 50000 }));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ no_such_cost: 1 }));
    const fast = await runCaptured(['replay', 't.csv', '--json', '-o', 'a'], dir);
    const slow = await runCaptured(['replay', 't.csv', '--json', '--costs', 'slow.json', '-o', 'b'], dir);
    const mean = (s: string) => Number(JSON.parse(s)[0].fault_mean_ns);
    expect(mean(slow.stdout)).toBeGreaterThan(mean(fast.stdout) + 40000);
    const bad = await runCaptured(['replay', 't.csv', '--costs', 'bad.json'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no_such_cost');
  });
});
