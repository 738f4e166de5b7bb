import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/util/errors.js';
import { load, loadError, rowsOf } from '../helpers/sources.js';

const HEADER = 'ts,pid,tid,op,addr,len,arg\n';

describe('CSV reader', () => {
  it('reads columns in any order, hex or decimal addresses, and applies op defaults to empty len and arg', async () => {
    const t = await load('t.csv', 'op,addr,tid,pid,ts,arg,len\nmmap,0x1000,7,3,0,,\nread,4097,7,3,5,,\nwrite,0X2000,7,3,9,2,16\n');
    expect(rowsOf(t)).toEqual([
      { ts: 0, pid: 3, tid: 7, op: 'mmap', addr: 0x1000, len: 4096, arg: 0 },
      { ts: 5, pid: 3, tid: 7, op: 'read', addr: 4097, len: 1, arg: 0 },
      { ts: 9, pid: 3, tid: 7, op: 'write', addr: 0x2000, len: 16, arg: 2 },
    ]);
    expect(t.counters.get('rows_read')).toBe(3);
  });

  it('accepts a header without len and arg, CRLF line endings and no final newline', async () => {
    const t = await load('t.csv', 'ts,pid,tid,op,addr\r\n1,1,1,compute,0\r\n2,1,1,fetch,0x10');
    expect(rowsOf(t).map((r) => [r.op, r.len, r.addr])).toEqual([['compute', 0, 0], ['fetch', 1, 16]]);
  });

  it('ignores extra columns with a warning and a counter', async () => {
    const t = await load('t.csv', 'ts,comm,pid,tid,op,addr,len,arg\n0,bash,1,1,read,0x10,,\n');
    expect(t.rows).toBe(1);
    expect(t.warnings.map(formatIssue)).toEqual([expect.stringMatching(/^t\.csv:1: ingest: "comm": only the columns/)]);
    expect(t.counters.get('extra_columns')).toBe(1);
  });

  it('skips and counts blank and # comment lines, keeping line numbers right', async () => {
    const err = await loadError('t.csv', `# a comment\n${HEADER}\n0,1,1,read,0x10,,\n\n1,1,1,read,zz,,\n`);
    expect(err.issues[0]).toMatchObject({ file: 't.csv', line: 6, text: 'zz' });
    const t = await load('t.csv', `# a comment\n${HEADER}\n0,1,1,read,0x10,,\n`);
    expect(t.counters.get('skipped_blank')).toBe(2);
  });

  it('reports a bad number as FILE:LINE: with the quoted field and what was expected', async () => {
    const err = await loadError('bad.csv', `${HEADER}0,1,1,read,0x10,,\n1.5,1,1,read,0x10,,\n`);
    expect(err.message).toMatch(/^bad\.csv:3: ingest: "1\.5": column ts: a decimal integer >= 0/);
  });

  it('rejects numbers at or above 2^53 naming the limit', async () => {
    const err = await loadError('big.csv', `${HEADER}0,1,1,read,0x20000000000000,,\n0,1,1,read,9007199254740992,,\n`);
    expect(err.issues).toHaveLength(2);
    for (const i of err.issues) expect(formatIssue(i)).toContain('2^53 (9007199254740992)');
    expect(err.issues.map((i) => i.line)).toEqual([2, 3]);
  });

  it('rejects unknown ops, sign, empty required cells, and wrong field counts', async () => {
    const err = await loadError('x.csv', `${HEADER}0,1,1,frob,0x10,,\n0,-1,1,read,0x10,,\n0,1,1,read,,,\n0,1,1,read,0x10\n`);
    expect(err.issues.map((i) => [i.line, i.code, i.text])).toEqual([
      [2, 'unknown-op', 'frob'], [3, 'bad-number', '-1'], [4, 'bad-number', ''], [5, 'bad-row', '0,1,1,read,0x10'],
    ]);
    expect(err.issues[0]!.expected).toContain('one of read, write, fetch');
  });

  it('requires a header with the contract columns, naming the missing ones', async () => {
    const missing = await loadError('m.csv', 'ts,pid,op,len\n0,1,read,1\n', { format: 'csv' });
    expect(missing.issues[0]).toMatchObject({ code: 'missing-columns', line: 1 });
    expect(missing.issues[0]!.expected).toMatch(/missing: tid, addr$/);
    const empty = await loadError('e.csv', '\n\n', { format: 'csv' });
    expect(empty.issues[0]!.code).toBe('missing-header');
  });

  it('counts lines inside quoted fields so later line numbers stay right', async () => {
    const err = await loadError('q.csv', `ts,pid,tid,op,addr,note\n0,1,1,read,0x10,"two\nlines"\n1,1,1,read,bad,x\n`);
    expect(err.issues[0]).toMatchObject({ line: 4, text: 'bad' });
  });

  it('gives the same rows however the input is cut into chunks', async () => {
    const text = `${HEADER}${Array.from({ length: 40 }, (_, i) => `${i},1,${1 + (i % 3)},${i % 2 ? 'read' : 'write'},0x${(4096 * i + 3).toString(16)},${i % 5 ? i : ''},\n`).join('')}`;
    const whole = rowsOf(await load('t.csv', text));
    expect(whole).toHaveLength(40);
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 97 }), async (chunk) => {
      expect(rowsOf(await load('t.csv', text, {}, chunk))).toEqual(whole);
    }), { numRuns: 25 });
  });
});
