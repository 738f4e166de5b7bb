/**
 * Interrupted runs leave no temporary files (issue 20, defect 8): SIGINT and SIGTERM remove the
 * temporary files of outputs in progress and exit 130 / 143, with nothing under a final name;
 * temporary files left by a process that no longer runs (SIGKILL) are swept by the next write
 * of the same output. Runs the built CLI (dist/, made by `npm test`'s pretest) as a real process.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESET_NAMES } from '../../src/replay/policies/presets.js';
import { runCaptured } from '../helpers/cli.js';
import { tempDir } from '../helpers/sources.js';

const BIN = resolve('dist/src/cli/main.js');
const MIXED = resolve('traces/mixed.csv');

/** Resolve when `dir` holds a `*.tmp` file (the run has started writing), polling. */
async function tempAppears(dir: string, child: { exitCode: number | null }): Promise<void> {
  for (;;) {
    if (existsSync(dir) && readdirSync(dir).some((n) => n.endsWith('.tmp'))) return;
    if (child.exitCode !== null) throw new Error('the run ended before it wrote anything');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('signals', () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} during a replay: exit ${code}, no temporary file, no run files`, async () => {
      const dir = tempDir();
      const out = join(dir, 'run');
      // Every preset over the mixed trace, with a timeline: seconds of work after the first temporary file.
      const policies = PRESET_NAMES.flatMap((p) => ['--policy', p]);
      const child = spawn(process.execPath, [BIN, 'replay', MIXED, ...policies, '-o', out, '--timeline', join(out, 't.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
      const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      await tempAppears(out, child);
      child.kill(signal);
      expect(await exited, stderr).toBe(code);
      expect(readdirSync(out).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      expect(readdirSync(out).filter((n) => !n.startsWith('.'))).toEqual([]);
    });
  }

  it('a temporary file of a process that no longer runs is swept by the next write of that output', async () => {
    const dir = tempDir();
    const stale = join(dir, '.x.arrow.2147483646.tmp');
    writeFileSync(stale, 'left by a killed run');
    writeFileSync(join(dir, '.y.arrow.2147483646.tmp'), 'another output: kept');
    writeFileSync(join(dir, `.x.arrow.${process.pid}.tmp.keep`), 'not a temporary file name: kept');
    const run = await runCaptured(['ingest', MIXED, '-o', 'x.arrow'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([`.x.arrow.${process.pid}.tmp.keep`, '.y.arrow.2147483646.tmp', 'x.arrow']);
  });
});
