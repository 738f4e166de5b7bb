import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inlinePool } from '../../src/ingest/csv_parallel.js';
import { parsePiece } from '../../src/ingest/csv_worker.js';
import { loadEventTable } from '../../src/ingest/load.js';
import { InputError } from '../../src/util/errors.js';
import { rowsOf, sourceOf } from '../helpers/sources.js';

const H = 'ts,pid,tid,op,addr,len,arg\n';
const line = (i: number): string => `${i},1,${1 + (i % 3)},${i % 2 ? 'read' : 'write'},0x${(4096 * i).toString(16)},${i % 4 ? 8 : ''},\n`;

/** Load through the parallel reader (in-thread pool) or the sequential one; errors as messages. */
async function run(text: string, chunk: number, workers: number): Promise<unknown> {
  try {
    const t = await loadEventTable([sourceOf('p.csv', text, chunk)], { workers, csvPool: inlinePool });
    return { rows: rowsOf(t), counters: t.counters.toJSON() };
  } catch (err) {
    if (err instanceof InputError) return err.message;
    throw err;
  }
}

describe('parallel CSV reader', () => {
  it('parses a piece into columns with relative lines, counting blanks', () => {
    const r = parsePiece({ file: 'p.csv', layout: { ts: 0, pid: 1, tid: 2, op: 3, addr: 4, len: 5, arg: 6, width: 7 }, newline: '\n' },
      new TextEncoder().encode('5,1,1,read,0x10,,\n\n6,1,1,write,16,4,2\n7,1,1,bad,0,,\n'));
    expect(r.quoted).toBe(false);
    expect(r.rows).toBe(2);
    expect(Array.from(r.line)).toEqual([0, 2]);
    expect(Array.from(r.columns.addr)).toEqual([16, 16]);
    expect(r.lines).toBe(4);
    expect(r.issues).toEqual([expect.objectContaining({ line: 3, text: 'bad' })]);
    expect(r.counters).toEqual({ rows_read: 3, skipped_blank: 1 });
    expect(parsePiece({ file: 'p.csv', layout: { ts: 0, pid: 1, tid: 2, op: 3, addr: 4, len: 5, arg: 6, width: 7 }, newline: '\n' },
      new TextEncoder().encode('1,1,1,read,0,"",\n')).quoted).toBe(true);
  });

  it('gives exactly what the sequential reader gives: rows, counters, errors and their lines (property)', async () => {
    const piece = fc.oneof(
      fc.integer({ min: 0, max: 30 }).map((n) => ({ kind: 'rows', n })),
      fc.constant({ kind: 'blank', n: 0 }),
      fc.constant({ kind: 'quoted', n: 0 }),
      fc.constant({ kind: 'bad', n: 0 }),
      fc.constant({ kind: 'backwards', n: 0 }),
    );
    await fc.assert(fc.asyncProperty(fc.array(piece, { maxLength: 12 }), fc.integer({ min: 8, max: 300 }), async (pieces, chunk) => {
      let i = 0;
      let text = H;
      for (const p of pieces) {
        if (p.kind === 'rows') for (let k = 0; k < p.n; k++) text += line(i++);
        else if (p.kind === 'blank') text += '\n';
        else if (p.kind === 'quoted') text += `${i},1,1,read,"0x${(i++).toString(16)}",,\n`;
        else if (p.kind === 'bad') text += `${i++},1,1,read,0x1G,,\n`;
        else text += `0,1,${1 + (i % 3)},read,0,,\n`;
      }
      expect(await run(text, chunk, 2)).toEqual(await run(text, chunk, 0));
    }), { numRuns: 60 });
  });

  it('handles a quoted field with a newline cut across chunks', async () => {
    const text = `ts,pid,tid,op,addr,note\n0,1,1,read,0x10,"a\nb"\n${'1,1,1,read,0x20,x\n'.repeat(30)}2,1,1,read,zz,y\n`;
    for (const chunk of [5, 17, 40]) expect(await run(text, chunk, 2)).toBe('p.csv:34: ingest: "zz": column addr: a hex (0x...) or decimal integer >= 0 (no sign, no decimal point, not empty: only len and arg may be empty)');
  });

  it('falls back to the sequential reader when worker threads cannot start (TypeScript sources)', async () => {
    const text = H + Array.from({ length: 5000 }, (_, i) => line(i)).join('');
    const t = await loadEventTable([sourceOf('p.csv', text, 4096)], { workers: 2 });
    expect(t.rows).toBe(5000);
    expect(rowsOf(t)[4999]).toMatchObject({ ts: 4999, op: 'read' });
  });
});
