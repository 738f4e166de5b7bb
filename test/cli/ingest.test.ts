import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { META } from '../../src/ingest/schema.js';
import { runCaptured } from '../helpers/cli.js';
import { tempDir } from '../helpers/sources.js';

const GOOD = 'ts,pid,tid,op,addr,len,arg\n0,1,1,mmap,0x7f0000000000,8192,\n10,1,1,write,0x7f0000000010,8,\n20,1,2,read,0x7f0000001000,,\n';

describe('mmreplay ingest', () => {
  it('writes an Arrow table with the contract metadata', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.csv'), GOOD);
    const run = await runCaptured(['ingest', 'in.csv', '-o', 'out.arrow'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ingest: 3 rows (3 events, 0 observations) from in.csv [csv] -> out.arrow');
    const table = tableFromIPC(readFileSync(join(dir, 'out.arrow')));
    expect(table.numRows).toBe(3);
    expect(table.getChild('op')!.toArray()).toEqual(['mmap', 'write', 'read']);
    const meta = table.schema.metadata;
    expect(meta.get(META.sourceFormat)).toBe('csv');
    expect(meta.get(META.sourcePath)).toBe('in.csv');
    expect(JSON.parse(meta.get(META.counters)!)).toMatchObject({ rows_read: 3, events_written: 3 });
    expect(readdirSync(dir).sort()).toEqual(['in.csv', 'out.arrow']);
  });

  it('exits 2 on malformed CSV with FILE:LINE:, the quoted field and what was expected, leaving nothing behind', async () => {
    const dir = tempDir();
    const rows = Array.from({ length: 70000 }, (_, i) => `${i},1,1,read,0x10,,`).join('\n');
    writeFileSync(join(dir, 'bad.csv'), `ts,pid,tid,op,addr,len,arg\n${rows}\n70000,1,1,read,0x1G,,\n70001,1,1,jump,0,,\n`);
    const run = await runCaptured(['ingest', 'bad.csv', '-o', 'out.arrow'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('mmreplay: bad.csv:70002: ingest: "0x1G": column addr: a hex (0x...) or decimal integer');
    expect(run.stderr).toContain('mmreplay: bad.csv:70003: ingest: "jump": column op: one of read,');
    expect(readdirSync(dir)).toEqual(['bad.csv']);
  });

  it('writes the contract CSV for -o x.csv, and reads gzip by content', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.data'), gzipSync(GOOD));
    const run = await runCaptured(['ingest', 'in.data', '-o', 'out.csv'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('[csv, gzip]');
    expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toBe(
      'ts,pid,tid,op,addr,len,arg\n0,1,1,mmap,0x7f0000000000,8192,0\n10,1,1,write,0x7f0000000010,8,0\n20,1,2,read,0x7f0000001000,1,0\n');
  });

  it('reports usage problems with exit 2: missing -o, bad --format, missing input, bad --pid', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.csv'), GOOD);
    expect((await runCaptured(['ingest', 'in.csv'], dir)).code).toBe(2);
    expect((await runCaptured(['ingest', 'in.csv', '--format', 'xml', '-o', 'o.arrow'], dir)).code).toBe(2);
    const missing = await runCaptured(['ingest', 'nope.csv', '-o', 'o.arrow'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.csv: cli: an existing, readable input file');
    expect((await runCaptured(['ingest', 'in.csv', '--pid', '-3', '-o', 'o.arrow'], dir)).code).toBe(2);
    expect((await runCaptured(['ingest', 'in.csv', '-o', 'no/such/dir/o.arrow'], dir)).code).toBe(2);
    expect(readdirSync(dir)).toEqual(['in.csv']);
  });

  it('reads a pipe as /dev/stdin (built binary), and refuses an empty input list', async () => {
    const dir = tempDir();
    const bin = join(process.cwd(), 'dist/src/cli/main.js');
    writeFileSync(join(dir, 'in.csv.gz'), gzipSync(GOOD));
    // A shell pipe, as users write it (Node's own stdin `input` is a socket, which /dev/stdin cannot open).
    const run = spawnSync('sh', ['-c', `cat in.csv.gz | "${process.execPath}" "${bin}" ingest /dev/stdin -o p.csv`], { cwd: dir, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('from /dev/stdin [csv, gzip]');
    expect(readFileSync(join(dir, 'p.csv'), 'utf8').split('\n')).toHaveLength(5);
    const none = await runCaptured(['ingest', '-', '-o', 'x.arrow'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('at least one input file');
  });

  it('has --help with an example', async () => {
    const run = await runCaptured(['ingest', '--help'], tempDir());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain('mmreplay ingest run.csv -o run.arrow');
  });

  it('works as the built binary: lackey in, Arrow out, exit codes', () => {
    const dir = tempDir();
    const bin = join(process.cwd(), 'dist/src/cli/main.js');
    writeFileSync(join(dir, 'ls.out'), '==77== Lackey\nI  04016e8,3\n M 0421d4b0,4\n');
    const out = execFileSync(process.execPath, [bin, 'ingest', 'ls.out', '-o', 'ls.arrow'], { cwd: dir, encoding: 'utf8' });
    expect(out).toContain('3 rows (3 events, 0 observations) from ls.out [lackey]');
    expect(tableFromIPC(readFileSync(join(dir, 'ls.arrow'))).getChild('pid')!.toArray()).toEqual(new Int32Array([77, 77, 77]));
    writeFileSync(join(dir, 'bad.csv'), 'ts,pid,tid,op,addr\n1.5,1,1,read,0\n');
    const bad = spawnSync(process.execPath, [bin, 'ingest', 'bad.csv', '-o', 'bad.arrow'], { cwd: dir, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('bad.csv:2: ingest: "1.5"');
    expect(existsSync(join(dir, 'bad.arrow'))).toBe(false);
  });

  it('parses CSV in worker threads (built binary) with output identical to one thread, errors included', () => {
    const dir = tempDir();
    const bin = join(process.cwd(), 'dist/src/cli/main.js');
    const rows = Array.from({ length: 60000 }, (_, i) => `${i},${1 + (i % 2)},${1 + (i % 4)},${i % 3 ? 'read' : 'write'},0x${(4096 * i).toString(16)},${i % 5 ? 8 : ''},`);
    rows[30000] = '30000,1,1,read,"0x10",,';
    writeFileSync(join(dir, 'big.csv'), `ts,pid,tid,op,addr,len,arg\n${rows.join('\n')}\n`);
    const ingestWith = (workers: string, out: string) =>
      spawnSync(process.execPath, [bin, 'ingest', 'big.csv', '--workers', workers, '-o', out], { cwd: dir, encoding: 'utf8' });
    expect(ingestWith('2', 'two.csv').status).toBe(0);
    expect(ingestWith('0', 'one.csv').status).toBe(0);
    const two = readFileSync(join(dir, 'two.csv'), 'utf8');
    expect(two).toBe(readFileSync(join(dir, 'one.csv'), 'utf8'));
    expect(two.split('\n')).toHaveLength(60002);
    rows[45000] = '45000,1,1,read,0x1G,,';
    rows[50000] = '5,1,1,read,0x10,,';
    writeFileSync(join(dir, 'big.csv'), `ts,pid,tid,op,addr,len,arg\n${rows.join('\n')}\n`);
    const bad2 = ingestWith('2', 'bad.arrow');
    const bad0 = ingestWith('0', 'bad.arrow');
    expect(bad2.status).toBe(2);
    expect(bad2.stderr).toBe(bad0.stderr);
    expect(bad2.stderr).toContain('big.csv:45002: ingest: "0x1G"');
    expect(bad2.stderr).toContain('big.csv:50002: ingest: "ts=5"');
    expect(existsSync(join(dir, 'bad.arrow'))).toBe(false);
  });
});
