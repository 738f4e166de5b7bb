/**
 * Exit 2, not 1, where the user named something unusable (issue 20, defect 9), and the CLI
 * parts of defect 10: policy specs with empty parts, replay errors that name the file, `ingest X
 * -o X`, and a reused run directory keeping outputs of an earlier run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCaptured } from '../helpers/cli.js';
import { tempDir } from '../helpers/sources.js';

const MIG = resolve('traces/migration-selftest.csv');

/** Exit 2, one message line containing every one of `words`, no stack, no raw Node error. */
async function exit2(argv: string[], cwd: string, ...words: string[]): Promise<void> {
  const run = await runCaptured(argv, cwd);
  expect(run.code, run.stderr).toBe(2);
  for (const w of words) expect(run.stderr).toContain(w);
  expect(run.stderr).not.toMatch(/\n\s+at |internal error|is not a function/);
}

/** No temporary file anywhere under `dir`. */
function noTemp(dir: string): void {
  expect(readdirSync(dir, { recursive: true }).map(String).filter((n) => n.endsWith('.tmp'))).toEqual([]);
}

describe('exit 2 where the user named an unusable place (defect 9)', () => {
  it('replay -o and analyze -o an existing file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    await exit2(['replay', MIG, '-o', 'file'], dir, 'file', 'EEXIST');
    await exit2(['analyze', MIG, '-o', 'file'], dir, 'file', 'EEXIST');
    expect(readFileSync(join(dir, 'file'), 'utf8')).toBe('x');
  });

  it('report --html where report.html is a directory: exit 2, no temporary file left', async () => {
    const dir = tempDir();
    expect((await runCaptured(['replay', MIG, '-o', 'run', '--no-events'], dir)).code).toBe(0);
    mkdirSync(join(dir, 'run', 'report.html'));
    await exit2(['report', 'run', '--html'], dir, 'report.html', 'EISDIR');
    noTemp(dir);
  });

  it('--timeline DIR: exit 2 before the replay, no run directory written', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'tl'));
    await exit2(['replay', MIG, '-o', 'run', '--timeline', 'tl'], dir, 'tl');
    expect(existsSync(join(dir, 'run'))).toBe(false);
    noTemp(dir);
  });

  it('report on a meta.json whose policies is not an array', async () => {
    const dir = tempDir();
    expect((await runCaptured(['replay', MIG, '-o', 'run', '--no-events'], dir)).code).toBe(0);
    const meta = JSON.parse(readFileSync(join(dir, 'run', 'meta.json'), 'utf8')) as Record<string, unknown>;
    for (const [field, value] of [['policies', 'linux-6.12'], ['machine', 3], ['findings', {}]] as const) {
      writeFileSync(join(dir, 'run', 'meta.json'), JSON.stringify({ ...meta, [field]: value }));
      await exit2(['report', 'run'], dir, 'meta.json', field);
    }
  });
});

describe('defect 10, the CLI part', () => {
  it("--policy 'linux-6.8+' and 'linux-6.8,,swapin=skip' are usage errors", async () => {
    for (const p of ['linux-6.8+', 'linux-6.8,,swapin=skip', '+swapin=skip']) await exit2(['replay', MIG, '--policy', p, '-o', 'run'], tempDir(), p);
  });

  it('a replay error about a row names the trace file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'm.csv'), 'ts,pid,tid,op,addr,len,arg\n0,1,1,mmap,0x10000000,8192,0\n10,1,1,write,0x10000000,8,0\n20,1,1,migrate,0x10000000,4096,5\n');
    await exit2(['replay', 'm.csv', '-o', 'run'], dir, 'm.csv: row 2', 'node 5');
  });

  it('ingest X -o X is refused and X is untouched', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.csv'), readFileSync(MIG));
    await exit2(['ingest', 'x.csv', '-o', 'x.csv'], dir, 'x.csv');
    await exit2(['ingest', 'x.csv', '-o', './x.csv'], dir, 'x.csv');
    expect(readFileSync(join(dir, 'x.csv'))).toEqual(readFileSync(MIG));
  });

  it('a reused run directory does not keep events.arrow or report.html of an earlier run', async () => {
    const dir = tempDir();
    expect((await runCaptured(['replay', MIG, '-o', 'run'], dir)).code).toBe(0);
    expect((await runCaptured(['report', 'run', '--html'], dir)).code).toBe(0);
    expect(readdirSync(join(dir, 'run'))).toEqual(expect.arrayContaining(['events.arrow', 'report.html']));
    expect((await runCaptured(['replay', MIG, '-o', 'run', '--no-events', '--policy', 'linux-5.8'], dir)).code).toBe(0);
    const files = readdirSync(join(dir, 'run'));
    expect(files).not.toContain('events.arrow');
    expect(files).not.toContain('report.html');
    expect(files).toContain('summary.csv');
  });
});
