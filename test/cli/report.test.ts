import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSummaryTables } from '../../src/report/terminal.js';
import { writeReplayOutputs } from '../helpers/outputs.js';
import { runCaptured } from '../helpers/cli.js';
import { tempDir } from '../helpers/sources.js';
import { smallResult } from '../report/fixture.js';

async function runDir(): Promise<string> {
  const dir = tempDir();
  writeReplayOutputs(smallResult(), join(dir, 'run'), { unit: 'ns', commandLine: 'mmreplay replay tiny.csv -o run', toolVersion: '0.1.0' });
  return dir;
}

describe('mmreplay report DIR', () => {
  it('prints exactly what the replay printed, from the CSV files and meta.json', async () => {
    const dir = await runDir();
    const run = await runCaptured(['report', 'run'], dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(renderSummaryTables(smallResult(), { unit: 'ns' }));
    const base = await runCaptured(['report', 'run', '--baseline', 'linux-6.12', '--fields', 'makespan', '--fields', 'p99', '--sort', 'p99'], dir);
    expect(base.stdout).toBe(renderSummaryTables(smallResult(), { unit: 'ns', baseline: 'linux-6.12', fields: ['makespan', 'p99'], sort: ['p99'] }));
    expect(base.stdout).toMatch(/│ makespan +│ +1\.00 ms x2\.0 │ +500 us │/);
  });

  it('converts to --unit cycles with the run\'s clock', async () => {
    const dir = await runDir();
    const run = await runCaptured(['report', 'run', '--unit', 'cycles', '--fields', 'makespan'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('times in cycles');
    expect(run.stdout).toMatch(/│ makespan +│ +2\.00 Mcyc │ +1\.00 Mcyc │/);
  });

  it('prints the run as JSON', async () => {
    const dir = await runDir();
    const run = await runCaptured(['report', 'run', '--json'], dir);
    const data = JSON.parse(run.stdout);
    expect(data.meta.tool.version).toBe('0.1.0');
    expect(data.tables.summary[1]).toMatchObject({ policy: 'linux-6.12', makespan_ns: 500000, fault_p99_ns: 4000 });
    expect(data.tables.locks.length).toBe(4);
  });

  it('writes one self-contained report.html with --html', async () => {
    const dir = await runDir();
    const run = await runCaptured(['report', 'run', '--html', '--baseline', 'linux-2.6.34-rc'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^report: wrote run\/report\.html \(\d+ bytes, self-contained\)\n$/);
    const html = readFileSync(join(dir, 'run', 'report.html'), 'utf8');
    expect(html.match(/<svg[\s>]/g)?.length).toBe(5);
    expect(readdirSync(join(dir, 'run')).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('exits 2 naming the file on a missing directory, meta.json, CSV or bad cell, and on a bad baseline', async () => {
    const dir = await runDir();
    const none = await runCaptured(['report', 'nope'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('nope: cli: a run directory written by replay -o or analyze -o');
    const baseline = await runCaptured(['report', 'run', '--baseline', 'linux-9'], dir);
    expect(baseline.code).toBe(2);
    expect(baseline.stderr).toContain('"linux-9": --baseline: not a policy of this run; expected one of: linux-2.6.34-rc, linux-6.12');
    const csv = join(dir, 'run', 'latency.csv');
    writeFileSync(csv, readFileSync(csv, 'utf8').replace('linux-6.12,read,anon,2,', 'linux-6.12,read,anon,two,'));
    const bad = await runCaptured(['report', 'run'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('run/latency.csv:5: report: "linux-6.12,read,anon,two,');
    expect(bad.stderr).toContain('": 11 cells, count an integer');
    writeFileSync(join(dir, 'run', 'meta.json'), '{"kind": 3}');
    const meta = await runCaptured(['report', 'run'], dir);
    expect(meta.code).toBe(2);
    expect(meta.stderr).toContain('run/meta.json: report: "{\\"kind\\": 3}": a JSON object with "kind": "replay" or "analyze"');
    expect(existsSync(join(dir, 'run', 'report.html'))).toBe(false);
  });
});
