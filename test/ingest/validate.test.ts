import { describe, expect, it } from 'vitest';
import { EventBatchBuilder } from '../../src/ingest/batch.js';
import { IssueList } from '../../src/ingest/reader.js';
import { Op } from '../../src/ingest/schema.js';
import { ValidatingSink } from '../../src/ingest/validate.js';
import { load, loadError } from '../helpers/sources.js';

const H = 'ts,pid,tid,op,addr,len,arg\n';

describe('validating sink', () => {
  it("rejects a thread's ts going backwards, naming the previous row", async () => {
    const err = await loadError('t.csv', `${H}10,1,1,read,0,,\n5,1,2,read,0,,\n9,1,1,read,0,,\n`);
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({ code: 'ts-backwards', line: 4, text: 'ts=9' });
    expect(err.issues[0]!.expected).toContain('at or after 10');
    expect(err.issues[0]!.expected).toContain('line 2');
  });

  it('binds a tid to the pid of its first row', async () => {
    const err = await loadError('t.csv', `${H}0,1,5,read,0,,\n1,2,5,read,0,,\n`);
    expect(err.issues[0]).toMatchObject({ code: 'tid-moved', line: 3 });
  });

  it('rejects a fork child pid already in use, and accepts a fresh one', async () => {
    const err = await loadError('t.csv', `${H}0,1,1,read,0,,\n0,2,2,read,0,,\n1,1,1,fork,0,,2\n`);
    expect(err.issues[0]).toMatchObject({ code: 'fork-pid-in-use', line: 4, text: 'arg=2' });
    const ok = await load('t.csv', `${H}0,1,1,fork,0,,2\n1,2,2,read,0,,\n`);
    expect(ok.rows).toBe(2);
    const twice = await loadError('t.csv', `${H}0,1,1,fork,0,,2\n1,1,1,fork,0,,2\n`);
    expect(twice.issues[0]!.code).toBe('fork-pid-in-use');
  });

  it('validates across input files and names the earlier file', async () => {
    const sink = new ValidatingSink(new EventBatchBuilder(() => undefined), new IssueList());
    sink.beginFile('a.csv', 'line');
    sink.push(100, 1, 1, Op.read, 0, 1, 0, 2);
    sink.beginFile('b.arrow', 'row');
    expect(() => { for (let i = 0; i < 20; i++) sink.push(50, 1, 1, Op.read, 0, 1, 0, i); }).toThrow(/b\.arrow: row 0: .*a\.csv line 2/);
  });

  it('interns observed objects: same text, same id; appended tables keep their order', () => {
    const sink = new ValidatingSink(new EventBatchBuilder(() => undefined), new IssueList());
    expect([sink.internObject('mm=0xa'), sink.internObject('mm=0xb'), sink.internObject('mm=0xa')]).toEqual([0, 1, 0]);
    expect(sink.appendObjects(['mm=0xb', 'mm=0xc'])).toBe(2);
    expect(sink.objects).toEqual(['mm=0xa', 'mm=0xb', 'mm=0xb', 'mm=0xc']);
    expect(sink.internObject('mm=0xc')).toBe(3);
  });
});
