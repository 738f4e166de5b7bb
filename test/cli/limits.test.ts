/**
 * Values that used to hang or run out of memory are checked up front (issue 20, defects 5 and 6):
 * every cost override, size and count flag has a documented range, and a value outside it exits
 * 2 naming the key or flag, the value and the range; analyze's working-set windows are bounded.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COST_RANGE_NS } from '../../src/replay/costs.js';
import { runCaptured } from '../helpers/cli.js';
import { tempDir } from '../helpers/sources.js';

const MIG = resolve('traces/migration-selftest.csv');
const MIXED = resolve('traces/mixed.csv');

/** Exit 2 with one message line naming every one of `words`, no stack. */
async function rejects(argv: string[], cwd: string, ...words: string[]): Promise<string> {
  const run = await runCaptured(argv, cwd);
  expect(run.code, run.stderr).toBe(2);
  for (const w of words) expect(run.stderr).toContain(w);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return run.stderr;
}

describe('--costs values (defect 5)', () => {
  it('a cost above its range, below it or not finite exits 2 naming key, value and range', async () => {
    const dir = tempDir();
    for (const [v, shown] of [['1e15', '1000000000000000'], ['-1', '-1'], ['1e10', '10000000000']]) {
      writeFileSync(join(dir, 'c.json'), `{"access_hit": ${v}}`);
      await rejects(['replay', MIG, '--costs', 'c.json', '-o', 'run'], dir, 'c.json', 'access_hit', shown, String(COST_RANGE_NS.max));
    }
    writeFileSync(join(dir, 'c.json'), '{"nvme_read": {"ns": 1e300}}');
    await rejects(['replay', MIG, '--costs', 'c.json', '-o', 'run'], dir, 'nvme_read', String(COST_RANGE_NS.max));
  });

  it('the largest cost in range replays and finishes', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ access_hit: COST_RANGE_NS.max }));
    const run = await runCaptured(['replay', MIG, '--costs', 'c.json', '-o', 'run', '--no-events'], dir);
    expect(run.code, run.stderr).toBe(0);
  });

  it('mmreplay list costs states the range', async () => {
    const run = await runCaptured(['list', 'costs'], tempDir());
    expect(run.stdout).toContain(`from ${COST_RANGE_NS.min} to ${COST_RANGE_NS.max} ns`);
    const json = JSON.parse((await runCaptured(['list', 'costs', '--json'], tempDir())).stdout) as { range_ns: unknown };
    expect(json.range_ns).toEqual(COST_RANGE_NS);
  });
});

describe('size and count flags (defects 5 and 6)', () => {
  const cases: [string[], string[]][] = [
    [['--cpus', '1000000000'], ['--cpus', '1000000000', '4096']],
    [['--nodes', '100000'], ['--nodes', '100000', '64']],
    [['--hz', '100000000'], ['--hz', '100000000', '10000']],
    [['--cpu-ghz', '1e9'], ['--cpu-ghz', '1000000000', '100']],
    [['--timeline-limit', '-5', '--timeline', 't.json'], ['--timeline-limit', '-5']],
    [['--memory-limit', '1'], ['--memory-limit', '"1"', '4096']],
  ];
  for (const [flags, words] of cases) {
    it(`replay ${flags.join(' ')} exits 2 naming the flag, the value and the range`, async () => {
      await rejects(['replay', MIG, ...flags, '-o', 'run'], tempDir(), ...words);
    });
  }

  it('analyze --window 1 over a trace exits 2 naming the windows it would make and the limit', async () => {
    await rejects(['analyze', MIXED, '--window', '1', '-o', 'a'], tempDir(), '--window', '100000');
  });

  it('analyze of 3 rows spanning 1e14 ns with --window 1000000 exits 2; the default window works', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 't.csv'), 'ts,pid,tid,op,addr,len,arg\n0,1,1,read,0x1000,8,0\n50000000000000,1,1,read,0x1000,8,0\n100000000000000,1,1,read,0x2000,8,0\n');
    await rejects(['analyze', 't.csv', '--window', '1000000'], dir, '--window', '1000000');
    const run = await runCaptured(['analyze', 't.csv'], dir);
    expect(run.code, run.stderr).toBe(0);
  });

  it('analyze --hot above its range exits 2', async () => {
    await rejects(['analyze', MIG, '--hot', '1000000000'], tempDir(), '--hot', '1000000000');
  });
});
