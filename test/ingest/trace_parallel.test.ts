import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { IngestSource } from '../../src/ingest/ingest.js';
import { loadEventTable } from '../../src/ingest/load.js';
import { Op } from '../../src/ingest/schema.js';
import { tracePools } from '../../src/ingest/trace_parallel.js';
import { parseTracePiece } from '../../src/ingest/trace_worker.js';
import { InputError } from '../../src/util/errors.js';
import { rowsOf, sourceOf, tempDir } from '../helpers/sources.js';

const TRACES = join(import.meta.dirname, '..', '..', 'traces');
const trace = (name: string): string => gunzipSync(readFileSync(join(TRACES, name))).toString('utf8');
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** `comm pid/tid [cpu] time: exceptions:page_fault_user: body`, as perf script prints it. */
const fault = (tid: number, time: string, addr: string, code = '0x4', comm = 'mtwork'): string =>
  `${comm.padStart(16)}  100/${tid}  [000]  ${time}:  exceptions:page_fault_user: address=${addr} ip=0x55d1c2a3b4c5 error_code=${code}`;

/**
 * Everything a load gives (rows, counters, warnings, objects, metadata), or the InputError's
 * message: with `workers` (parsed in this thread), without (perf: pieces parsed in this thread),
 * or `text`, every line decoded and read as text (the reference).
 */
async function load(sources: IngestSource[], workers: number | 'text', format?: 'perf' | 'ftrace'): Promise<unknown> {
  try {
    const tracePool = workers === 'text' ? null : tracePools.inline;
    const t = await loadEventTable(sources, { workers: workers === 'text' ? 0 : workers, format, tracePool });
    return { rows: rowsOf(t), counters: t.counters.toJSON(), warnings: t.warnings, objects: t.objects, metadata: [...t.metadata] };
  } catch (err) {
    if (err instanceof InputError) return err.message;
    throw err;
  }
}

/** The input cut into byte chunks at the given offsets. */
function cutAt(name: string, data: Uint8Array, cuts: number[]): IngestSource {
  const ends = [...cuts, data.length];
  return {
    name,
    chunks: (async function* () {
      let at = 0;
      for (const e of ends) {
        yield data.slice(at, e);
        at = e;
      }
    })(),
  };
}

/** Workers (in-thread pool), no workers and the text reader give the same for `text` read in chunks of `chunk` bytes. */
async function expectSame(name: string, text: string | Uint8Array, chunk: number): Promise<void> {
  const reference = await load([sourceOf(name, text, chunk)], 'text');
  expect(await load([sourceOf(name, text, chunk)], 2), `${name} in chunks of ${chunk}`).toEqual(reference);
  expect(await load([sourceOf(name, text, chunk)], 0), `${name} in chunks of ${chunk}, no workers`).toEqual(reference);
}

describe('perf/ftrace page faults parsed in worker threads', () => {
  it('parses the page faults of a piece into columns and leaves every other line to the reader', () => {
    const text = [
      fault(101, '5.000001', '0x7f0000001000', '0x6'),
      '',
      `${fault(102, '5.000002', '0x7f0000002000', '0x14')}\r`,
      fault(103, '5.000003', '0xffffffff81000000'), // kernel address: counted by the reader
      fault(104, '5.000004', '0x7f00zz'), // malformed: reported by the reader
      '          mtwork  100/101  [000]  5.000005:  syscalls:sys_enter_munmap: addr: 0x7f0000000000, len: 0x00001000',
    ].join('\n') + '\n';
    const r = parseTracePiece({ style: 'perf' }, bytes(text));
    expect(r.ascii).toBe(true);
    expect(r.lines).toBe(6);
    expect(Array.from(r.fault)).toEqual([1, 0, 1, 0, 0, 0]);
    expect([r.tid[0], r.pid[0], r.secs[0], r.fracNs[0], r.op[0], r.addr[0]]).toEqual([101, 100, 5, 1000, Op.write, 0x7f0000001000]);
    expect([r.tid[2], r.fracNs[2], r.op[2], r.addr[2]]).toEqual([102, 2000, Op.fetch, 0x7f0000002000]);
    const line = (i: number): string => text.slice(r.start[i]!, r.end[i]!);
    expect(line(1)).toBe('');
    expect(line(2)).toBe(fault(102, '5.000002', '0x7f0000002000', '0x14')); // without the \r
    expect(line(5)).toContain('sys_enter_munmap');
    expect(parseTracePiece({ style: 'perf' }, bytes(`${fault(1, '1.0', '0x1000', '0x4', 'Wébé')}\n`)).ascii).toBe(false);
  });

  it('parses ftrace page faults too (bare event name, COMM-TID header)', () => {
    const r = parseTracePiece({ style: 'ftrace' }, bytes(
      '          mtwork-30902 [000] .....  4561.728650: page_fault_user: address=0x7f1c5a800000 ip=0x55c4a1b0 error_code=0x6\n'));
    expect(Array.from(r.fault)).toEqual([1]);
    expect([r.tid[0], r.pid[0], r.op[0], r.addr[0]]).toEqual([30902, -1, Op.write, 0x7f1c5a800000]);
  });

  it('gives exactly what the sequential readers give on the recorded traces, as LF, CRLF, UTF-8 comms and with a BOM', async () => {
    for (const name of ['mtwork.perf.txt.gz', 'mtwork.pid.perf.txt.gz', 'mtwork.pagefaults.perf.txt.gz', 'mtwork.ftrace.txt.gz', 'mtwork.trace-cmd.txt.gz']) {
      const text = trace(name);
      const variants = [
        text,
        text.replaceAll('\n', '\r\n'),
        text.replaceAll(' mtwork', ' Wébé Cöntent 日本'),
        `\uFEFF${text}`,
      ];
      for (const v of variants) for (const chunk of [97, 4096, 65536]) await expectSame(name, v, chunk);
    }
  });

  it('gives the same lines, numbers and errors for every cut of the input into two chunks', async () => {
    const text = [
      fault(101, '5.000001', '0x1000'),
      `${fault(102, '5.000002', '0x2000', '0x6', 'Wébé 日本')}\r`,
      'not a perf line',
      fault(101, '5.000003', '0x3000', '0x7'),
      `${fault(103, '5.000004', '0x4000', 'zz')}\r`,
      fault(104, '5.000005', '0x5000'),
    ].join('\n');
    const data = bytes(text);
    const whole = await load([cutAt('t.perf', data, [])], 'text', 'perf');
    expect(whole).toContain('t.perf:3: ingest: "not a perf line"');
    expect(whole).toContain('t.perf:5: ingest:');
    for (let i = 0; i <= data.length; i++) {
      expect(await load([cutAt('t.perf', data, [i])], 2, 'perf'), `cut at ${i}`).toBe(whole);
      expect(await load([cutAt('t.perf', data, [i])], 0, 'perf'), `cut at ${i}, no workers`).toBe(whole);
    }
  });

  it('gives the rows and counters of the sequential reader when lines straddle every chunk offset', async () => {
    const text = Array.from({ length: 40 }, (_, i) => fault(101 + (i % 3), `5.${String(i).padStart(6, '0')}`, `0x${(0x1000 * (i + 1)).toString(16)}`, i % 2 ? '0x6' : '0x4', i % 5 ? 'mtwork' : 'Wébé 日本')).join('\r\n') + '\r\n';
    for (const chunk of [1, 2, 3, 5, 64, 127, 128, 129, 1000]) await expectSame('s.perf', text, chunk);
  });

  it('reports errors at FILE:LINE as the sequential reader does, deep into the input and past the error limit', async () => {
    const lines = Array.from({ length: 6000 }, (_, i) => fault(101 + (i % 4), `7.${String(i).padStart(6, '0')}`, `0x${(0x1000 * (i + 1)).toString(16)}`));
    lines[2000] = 'garbage';
    lines[4500] = fault(102, '7.004500', '0x1000x');
    lines[5000] = fault(101, '7.000001', '0x1000'); // back in time: the sink names this row's line and the previous one's
    const some = `${lines.join('\n')}\n`;
    const message = await load([sourceOf('e.perf', some, 8192)], 2);
    expect(message).toBe(await load([sourceOf('e.perf', some, 8192)], 'text'));
    expect(await load([sourceOf('e.perf', some, 8192)], 0)).toBe(message);
    expect(message).toMatch(/^e\.perf:2001: ingest: "garbage"/);
    expect(message).toContain('e.perf:4501: ingest:');
    expect(message).toContain('e.perf:5001: ingest: "ts=1000": a ts at or after 4996000, the ts of tid 101\'s previous row (line 4997)');
    const many = lines.map((l, i) => (i % 100 === 50 ? 'bad' : l)).join('\n');
    const stopped = await load([sourceOf('m.perf', many, 8192)], 2);
    expect(stopped).toBe(await load([sourceOf('m.perf', many, 8192)], 'text'));
    expect(await load([sourceOf('m.perf', many, 8192)], 0)).toBe(stopped);
    expect(stopped).toContain('m.perf:1951: ingest: "bad"');
  });

  it('falls back to the sequential reader when worker threads cannot start (TypeScript sources)', async () => {
    const text = Array.from({ length: 3000 }, (_, i) => fault(101, `9.${String(i).padStart(6, '0')}`, `0x${(i + 1).toString(16)}000`)).join('\n');
    const t = await loadEventTable([sourceOf('f.perf', text, 4096)], { workers: 2 });
    expect(t.rows).toBe(3000);
    expect(rowsOf(t)[2999]).toMatchObject({ ts: 2999000, op: 'read', addr: 3000 * 4096 });
  });

  it('parses perf in worker threads (built binary) with output identical to one thread, errors included', () => {
    const dir = tempDir();
    const bin = join(process.cwd(), 'dist/src/cli/main.js');
    const lines = Array.from({ length: 40000 }, (_, i) => fault(101 + (i % 4), `3.${String(i).padStart(6, '0')}`, `0x${(0x1000 * (i + 1)).toString(16)}`, i % 3 ? '0x4' : '0x6'));
    lines[100] = '  Wébé Cöntent 日本  100/107  [000]  3.000100:  exceptions:page_fault_user: address=0x7f0000001000 ip=0x1 error_code=0x6';
    writeFileSync(join(dir, 'big.perf'), `${lines.join('\n')}\n`);
    const ingestWith = (file: string, workers: string, out: string) =>
      spawnSync(process.execPath, [bin, 'ingest', file, '--workers', workers, '-o', out], { cwd: dir, encoding: 'utf8' });
    expect(ingestWith('big.perf', '2', 'two.csv').status).toBe(0);
    expect(ingestWith('big.perf', '0', 'one.csv').status).toBe(0);
    expect(readFileSync(join(dir, 'two.csv'), 'utf8')).toBe(readFileSync(join(dir, 'one.csv'), 'utf8'));
    lines[30000] = fault(101, '3.030000', '0xq');
    writeFileSync(join(dir, 'bad.perf'), `${lines.join('\n')}\n`);
    const bad = ingestWith('bad.perf', '2', 'bad.csv');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('bad.perf:30001: ingest:');
    expect(bad.stderr).toBe(ingestWith('bad.perf', '0', 'bad.csv').stderr);
  });
});
