/**
 * Input the readers used to misread silently (issue 20): CR-only line ends, trailing text after
 * a valid event, an input giving far fewer rows than lines (defect 3); lines without end, which
 * took quadratic time (defect 4); and perf/ftrace details of defect 10 (a page-fault address
 * without 0x, perf's `-1/-1` task, times before the first line, empty inputs).
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inlinePool } from '../../src/ingest/csv_parallel.js';
import type { LoadOptions } from '../../src/ingest/load.js';
import { MAX_LINE_CHARS } from '../../src/ingest/reader.js';
import { tracePools } from '../../src/ingest/trace_parallel.js';
import { load, loadError } from '../helpers/sources.js';

const CSV = 'ts,pid,tid,op,addr,len,arg\n0,1,1,mmap,0x10000000,8192,0\n10,1,1,write,0x10000000,8,0\n20,1,1,read,0x10001000,8,0\n';
const perfLine = (ts: string, body = 'address=0x7f0000001000 ip=0x401000 error_code=0x6', task = '100/100') =>
  `          mtwork ${task} [000] ${ts}: exceptions:page_fault_user: ${body}`;
const PERF = `${[perfLine('1.000001'), perfLine('1.000002'), perfLine('1.000003')].join('\n')}\n`;
const ftraceLine = (ts: string, body = 'address=0x7f0000001000 ip=0x401000 error_code=0x6') =>
  `          mtwork-100     [000] ..... ${ts}: page_fault_user: ${body}`;
const FTRACE = `# tracer: nop\n${[ftraceLine('1.000001'), ftraceLine('1.000002')].join('\n')}\n`;
const LACKEY = '==42== Lackey, an example Valgrind tool\nI  04016e8,3\n L 04222cac,4\n S 7ff000398,8\n';

/** Every path the pipeline has: whole, in small chunks, in pieces parsed by a pool (in this thread), and plain text readers. */
const PATHS: { chunk: number; opts: LoadOptions }[] = [
  { chunk: Infinity, opts: { workers: 0 } },
  { chunk: 7, opts: { workers: 0 } },
  { chunk: 64, opts: { workers: 1, csvPool: () => inlinePool(), tracePool: () => tracePools.inline() } },
  { chunk: 64, opts: { workers: 0, tracePool: null } },
];

describe('CR and CRLF line ends (defect 3)', () => {
  for (const [name, text, rows] of [['t.csv', CSV, 3], ['t.perf', PERF, 3], ['t.ftrace', FTRACE, 2], ['t.lackey', LACKEY, 3]] as const) {
    it(`${name}: CR-only and CRLF files give the rows the LF file gives`, async () => {
      const lf = await load(name, text);
      expect(lf.rows).toBe(rows);
      for (const ending of ['\r', '\r\n']) {
        for (const p of PATHS) {
          const t = await load(name, text.replace(/\n/g, ending), p.opts, p.chunk);
          expect(t.rows, `${JSON.stringify(ending)} ${JSON.stringify(p)}`).toBe(rows);
          expect(Array.from(t.columns.addr), JSON.stringify(ending)).toEqual(Array.from(lf.columns.addr));
        }
      }
    });
  }

  it('a CR-only file that is gzipped is read the same way', async () => {
    expect((await load('t.perf.gz', gzipSync(PERF.replace(/\n/g, '\r')))).rows).toBe(3);
  });
});

describe('trailing text after a valid event (defect 3)', () => {
  it('perf: page_fault_user with trailing junk is an error with file:line', async () => {
    for (const p of PATHS) {
      const err = await loadError('j.perf', `${perfLine('1.000001')}\n${perfLine('1.000002', 'address=0x7f0000001000 ip=0x401000 error_code=0x6 TRAILING JUNK')}\n`, p.opts, p.chunk);
      expect(err.issues[0], JSON.stringify(p)).toMatchObject({ file: 'j.perf', line: 2, code: 'bad-field' });
      expect(err.issues[0]!.text).toContain('error_code=0x6 TRAILING JUNK');
    }
  });

  it('ftrace: trailing junk after a page fault or a syscall is an error', async () => {
    const err = await loadError('j.ftrace', `# tracer: nop\n${ftraceLine('1.000001', 'address=0x1000 ip=0x1 error_code=0x6 junk')}\n`);
    expect(err.issues[0]).toMatchObject({ file: 'j.ftrace', line: 2 });
    const sys = await loadError('s.ftrace', '# tracer: nop\n          mtwork-100     [000] ..... 1.000001: sys_munmap(addr: 0x7fb3e713e000, len: 0x8000) junk\n');
    expect(sys.issues[0]).toMatchObject({ file: 's.ftrace', line: 2, code: 'bad-field' });
  });

  it('perf: a syscall body with trailing junk is an error', async () => {
    const line = '          mtwork 100/100 [000] 1.000001: syscalls:sys_enter_munmap: addr: 0x7f0000000000, len: 0x00002000 JUNK';
    const err = await loadError('s.perf', `${perfLine('1.000000')}\n${line}\n`);
    expect(err.issues[0]).toMatchObject({ file: 's.perf', line: 2, code: 'bad-field' });
  });

  it('lackey: a `==PID==`-looking line that is not valgrind chatter is an error', async () => {
    const err = await loadError('l.lackey', `${LACKEY}==42==I  04016e8,3\n`);
    expect(err.issues[0]).toMatchObject({ file: 'l.lackey', line: 5, code: 'bad-line' });
  });
});

describe('an input with far fewer rows than lines warns (defect 3)', () => {
  it('a lackey file of chatter only, or a perf file of unknown events, says so', async () => {
    const chatter = `${'==42== some valgrind chatter\n'.repeat(500)}I  04016e8,3\n`;
    const t = await load('c.lackey', chatter);
    expect(t.rows).toBe(1);
    expect(t.warnings.map((w) => w.code)).toContain('few-rows');
    expect(t.warnings.find((w) => w.code === 'few-rows')!.file).toBe('c.lackey');
    const ok = await load('ok.lackey', LACKEY.repeat(50));
    expect(ok.warnings.map((w) => w.code)).not.toContain('few-rows');
  });
});

describe('lines without end (defect 4)', () => {
  it(`a line longer than ${MAX_LINE_CHARS} characters is an error naming file and line, on every path and format`, async () => {
    const long = 'x'.repeat(MAX_LINE_CHARS + 10);
    for (const [name, head] of [['l.csv', 'ts,pid,tid,op,addr,len,arg\n0,1,1,read,0x1000,8,0\n'], ['l.perf', `${perfLine('1.000001')}\n`], ['l.lackey', 'I  04016e8,3\n'], ['l.ftrace', `# tracer: nop\n${ftraceLine('1.0')}\n`]]) {
      for (const p of [...PATHS, { chunk: 1 << 20, opts: {} }]) {
        const err = await loadError(name, `${head}${long}\n`, p.opts, p.chunk);
        expect(err.issues[0], `${name} ${JSON.stringify(p)}`).toMatchObject({ code: 'line-too-long', file: name, line: head.split('\n').length });
      }
    }
  });

  it('a gzipped single line of many MiB stops at the limit (it used to re-join its carry per chunk)', async () => {
    const err = await loadError('one.csv.gz', gzipSync(`ts,pid,tid,op,addr,len,arg\n${'1'.repeat(8 << 20)}`));
    expect(err.issues[0]).toMatchObject({ code: 'line-too-long', file: 'one.csv.gz', line: 2 });
  });
});

describe('perf and ftrace details (defect 10)', () => {
  it('a page_fault_user address without 0x is an error, not read as hex', async () => {
    const err = await loadError('a.perf', `${perfLine('1.0', 'address=12345 ip=0x401000 error_code=0x6')}\n`);
    expect(err.issues[0]).toMatchObject({ file: 'a.perf', line: 1, code: 'bad-field' });
  });

  it("perf's -1/-1 (no task) is perf text, not ftrace with tid 1; such lines are skipped and counted", async () => {
    const text = `${perfLine('1.000001')}\n${perfLine('1.000002', undefined, '-1/-1')}\n${perfLine('1.000003')}\n`;
    const t = await load('m.txt', text);
    expect(t.inputs[0]!.format).toBe('perf');
    expect(Array.from(t.columns.tid)).toEqual([100, 100]);
    expect(t.counters.get('skipped_no_task')).toBe(1);
    expect(t.warnings.map((w) => w.code)).toContain('no-task');
  });

  it('a timestamp before the first line is clamped to 0 with a printed warning naming the line', async () => {
    const t = await load('b.perf', `${perfLine('2.000000')}\n${perfLine('1.000000', undefined, '100/101')}\n`);
    expect(t.counters.get('ts_before_first')).toBe(1);
    expect(t.warnings.find((w) => w.code === 'ts-before-first')).toMatchObject({ file: 'b.perf', line: 2 });
  });

  it('an empty perf, ftrace or lackey input exits 2 as an empty CSV does', async () => {
    for (const name of ['e.perf', 'e.ftrace', 'e.lackey', 'e.csv']) {
      const err = await loadError(name, '');
      expect(err.issues[0]!.file, name).toBe(name);
    }
    for (const [name, text] of [['c.perf', '# only a comment\n'], ['c.lackey', '==42== Lackey\n']]) {
      expect((await loadError(name, text)).issues[0]).toMatchObject({ code: 'no-events', file: name });
    }
  });
});
