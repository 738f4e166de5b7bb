/**
 * `mmreplay selftest cow|migration`: the table fits 120 columns and names every policy, FAILs
 * exit 0 (they are findings), --json and --csv carry cases x policies with verdict and reason,
 * bad usage exits 2. Expected verdicts and their kernel references: test/selftest/*.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { PRESET_NAMES } from '../../src/replay/policies/presets.js';
import { runCaptured } from '../helpers/cli.js';
import { tempDir } from '../helpers/sources.js';

const selftest = (...args: string[]) => runCaptured(['selftest', ...args], process.cwd());

/** The output docs/selftest.md pastes after `What \`mmreplay selftest SUITE\` prints`. */
function documented(suite: string): string {
  const doc = readFileSync(new URL('../../docs/selftest.md', import.meta.url), 'utf8');
  const at = doc.indexOf(`What \`mmreplay selftest ${suite}\` prints`);
  expect(at, `docs/selftest.md pastes the ${suite} output`).toBeGreaterThanOrEqual(0);
  return `${/```\n([\s\S]*?)\n```/.exec(doc.slice(at))![1]!}\n`;
}

/**
 * Output with the numbers inside reasons masked (counts of waits and calls move with the cost
 * model; verdicts, cells and the reasons' words must not): wrapped reason lines joined first.
 */
function masked(text: string): string {
  return text
    .replace(/\n {4}/g, ' ')
    .split('\n')
    .map((l) => (/^\[\d+\] /.test(l) ? l.replace(/(?<=^\[\d+\] .*)\d+/g, 'N') : l))
    .join('\n');
}
const rowCells = (line: string): string[] => line.split('│').slice(1, -1).map((c) => c.trim());

describe('mmreplay selftest cow', () => {
  it('prints cases by every preset within 120 columns, the reasons below, and exits 0 with FAILs', async () => {
    const run = await selftest('cow');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n');
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(120);
    const heads = lines.filter((l) => l.startsWith('│ cow case ')).map(rowCells);
    expect(heads.flatMap((h) => h.slice(2))).toEqual(PRESET_NAMES);
    expect(run.stdout).toMatch(/^\[\d+\] Leak from child into parent \[dma_read by pid 1 saw another process's data: dma_leak x1\]$/m);
    expect(run.stdout).toMatch(/^\[\d+\] Longterm R\/O pin is reliable /m);
    expect(run.stdout).toMatch(/^11 cases \(22 with their page variants\) x 8 policies: \d+ PASS, [1-9]\d* FAIL, 0 SKIP$/m);
    expect(masked(run.stdout)).toBe(masked(documented('cow')));
  });

  it('--json: every case with a verdict and a reason per policy', async () => {
    const run = await selftest('cow', '--json', '--policy', 'linux-5.8', '--policy', 'linux-6.12');
    expect(run.code).toBe(0);
    const j = JSON.parse(run.stdout) as { suite: string; policies: string[]; cases: { id: string; variant: string; results: Record<string, { verdict: string; reason: string }> }[] };
    expect(j.suite).toBe('cow');
    expect(j.policies).toEqual(['linux-5.8', 'linux-6.12']);
    expect(j.cases).toHaveLength(22);
    for (const c of j.cases) expect(c.results['linux-6.12']!.verdict).toBe('PASS');
    const before = j.cases.find((c) => c.id === 'vmsplice-before-fork' && c.variant === 'base page')!;
    expect(before.results['linux-5.8']).toEqual({ verdict: 'FAIL', reason: "Leak from child into parent [dma_read by pid 1 saw another process's data: dma_leak x1]" });
  });

  it('--csv FILE: policy,suite,case,variant,verdict,reason, written whole (no temporary left)', async () => {
    const dir = tempDir();
    const file = join(dir, 'cow.csv');
    const run = await selftest('cow', '--policy', 'linux-5.10', '--policy', 'linux-6.12', '--csv', file);
    expect(run.code).toBe(0);
    expect(readdirSync(dir)).toEqual(['cow.csv']);
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toBe('policy,suite,case,variant,verdict,reason');
    const rows = Papa.parse<string[]>(text.trim()).data.slice(1);
    expect(rows).toHaveLength(44);
    expect(rows.slice(0, 22).every((r) => r[0] === 'linux-5.10') && rows.slice(22).every((r) => r[0] === 'linux-6.12')).toBe(true);
    expect(rows).toContainEqual(['linux-5.10', 'cow', 'R/O GUP pin on R/O-mapped shared page', 'base page', 'FAIL', 'Longterm R/O pin is reliable [dma_read by pid 1 saw an older version: dma_lost_write x1]']);
    expect(rows).toContainEqual(['linux-6.12', 'cow', 'vmsplice() before fork(), unmap in parent after fork()', 'swapped-out base page', 'PASS', 'No leak from child into parent']);
  });
});

describe('mmreplay selftest migration', () => {
  it('prints what docs/selftest.md shows for the defaults', async () => {
    const run = await selftest('migration');
    expect(run.code).toBe(0);
    expect(masked(run.stdout)).toBe(masked(documented('migration')));
  });

  it('FAILs private_anon under 2.6.34-rc in the selftest\'s words, passes it under 6.12, exit 0', async () => {
    const run = await selftest('migration', '--policy', 'linux-2.6.34-rc', '--policy', 'linux-6.12', '--readers', '2', '--iterations', '100');
    expect(run.code).toBe(0);
    const row = run.stdout.split('\n').find((l) => l.startsWith('│ private_anon '))!;
    expect(rowCells(row)).toEqual(['private_anon', 'FAIL [1]', 'PASS']);
    expect(run.stdout).toMatch(/^\[1\] Didn't migrate 1 pages \[first failure at call \d+ of 100;/m);
    const shared = run.stdout.split('\n').find((l) => l.startsWith('│ shared_anon '))!;
    expect(rowCells(shared)).toEqual(['shared_anon', 'FAIL [1]', 'PASS']);
  });
});

describe('bad usage exits 2', () => {
  it.each([
    [['nosuch']],
    [['cow', '--policy', 'linux-9.9']],
    [['migration', '--readers', '0']],
    [['cow', '--csv', '/nonexistent-dir/x.csv']],
  ])('selftest %j', async (args) => {
    const run = await selftest(...args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^mmreplay: /);
    expect(existsSync('/nonexistent-dir')).toBe(false);
  });
});
