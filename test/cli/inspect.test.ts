import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCaptured } from '../helpers/cli.js';
import { tempDir } from '../helpers/sources.js';

const TRACE = [
  'ts,pid,tid,op,addr,len,arg',
  '0,1,1,mmap,0x7f0000000000,16384,',
  '5,1,1,write,0x7f0000000ffc,8,',
  '7,1,3,read,0x7f0000000010,,',
  '9,1,1,fork,0,,2',
  '12,2,2,read,0x7f0000000010,,',
  '40,1,1,fetch,0x400000,4,',
].join('\n');

describe('mmreplay inspect', () => {
  it('summarises any ingestible input as JSON', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 't.csv'), TRACE);
    const run = await runCaptured(['inspect', 't.csv', '--json'], dir);
    expect(run.code).toBe(0);
    const s = JSON.parse(run.stdout);
    expect(s).toMatchObject({
      rows: 6, events: 6, observations: 0, tsMin: 0, tsMax: 40, spanNs: 40, pids: [1, 2], threads: 3,
      ops: { read: 2, write: 1, fetch: 1, mmap: 1, fork: 1 },
      // pid 1: pages ...000, ...001 (the write), 0x400 (fetch); pid 2: ...000
      pagesTouched: 4,
      source: { format: 'csv', path: 't.csv' },
    });
    expect(s.counters).toEqual({ events_written: 6, rows_read: 6 });
  });

  it('prints tables, and the counters recorded in an ingested Arrow file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 't.csv'), `# note\n${TRACE.replace('ts,pid', 'ts,comm,pid').replace(/\n(\d+),/g, '\n$1,x,')}`);
    expect((await runCaptured(['ingest', 't.csv', '-o', 't.arrow'], dir)).code).toBe(0);
    const run = await runCaptured(['inspect', 't.arrow'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/time span\s+│ 0 \.\. 40 ns/);
    expect(run.stdout).toMatch(/read\s+│\s+2 │\s+33\.3%/);
    expect(run.stdout).toContain('counters recorded by the ingest that wrote it');
    expect(run.stdout).toMatch(/extra_columns\s+│\s+1 │ warning/);
    expect(run.stdout).toMatch(/skipped_blank\s+│\s+1 │ info/);
  });

  it('exits 2 with the located error on bad input, and has --help with an example', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'b.csv'), 'ts,pid,tid,op,addr\n0,1,1,read,-1\n');
    const run = await runCaptured(['inspect', 'b.csv'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('b.csv:2: ingest: "-1"');
    const help = await runCaptured(['inspect', '--help'], dir);
    expect(help.stdout).toContain('mmreplay inspect run.arrow');
  });
});
