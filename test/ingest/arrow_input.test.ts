import { Dictionary, Field, Float64, Int32, Int8, RecordBatch, Schema, Struct, Table, Utf8, makeData, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/ingest.js';
import { loadEventTable } from '../../src/ingest/load.js';
import { eventSchema } from '../../src/ingest/arrow_schema.js';
import { META } from '../../src/ingest/schema.js';
import { ArrowEventWriter } from '../../src/ingest/writer.js';
import { AtomicFile } from '../../src/cli/atomic_file.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load, loadError, rowsOf, sourceOf, tempDir } from '../helpers/sources.js';

/** A batch in the contract's layout but with its own op dictionary and optional overrides. */
function foreignBatch(ops: string[], idx: number[], ts: number[], tsType: Float64 | Int32 = new Float64()): RecordBatch {
  const n = idx.length;
  const f64 = (v: number[]) => makeData({ type: new Float64(), length: n, nullCount: 0, data: new Float64Array(v) });
  const i32 = (v: number[]) => makeData({ type: new Int32(), length: n, nullCount: 0, data: new Int32Array(v) });
  const dictType = new Dictionary(new Utf8(), new Int8(), 0, false);
  const fields = eventSchema().fields.map((f) => (f.name === 'ts' ? new Field('ts', tsType, false) : f));
  const schema = new Schema(fields);
  const children = [
    tsType instanceof Int32 ? i32(ts) : f64(ts), i32(idx.map(() => 1)), i32(idx.map(() => 1)),
    makeData({ type: dictType, length: n, nullCount: 0, data: new Int8Array(idx), dictionary: vectorFromArray(ops, new Utf8()) }),
    f64(idx.map((_, i) => 4096 * (i + 1))), f64(idx.map(() => 8)), f64(idx.map(() => 0)),
  ];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
}

describe('Arrow input', () => {
  it('maps the op dictionary by name, in IPC files and streams', async () => {
    const batch = foreignBatch(['write', 'bogus', 'read', 'fetch'], [0, 2, 3, 0], [0, 1, 2, 3]);
    for (const kind of ['file', 'stream'] as const) {
      const t = await load(`t.${kind}`, tableToIPC(new Table([batch]), kind), {}, 100);
      expect(rowsOf(t).map((r) => r.op)).toEqual(['write', 'read', 'fetch', 'write']);
      expect(t.inputs[0]!.format).toBe('arrow');
    }
  });

  it('rejects unknown op names that rows use, fractional values and wrong column types', async () => {
    const err = await loadError('t.arrows', tableToIPC(new Table([foreignBatch(['read', 'bogus'], [0, 1, 0], [0, 1, 1.5])]), 'stream'));
    expect(err.issues.map((i) => [i.row, i.code, i.text])).toEqual([[1, 'unknown-op', 'bogus'], [2, 'bad-number', 'ts=1.5']]);
    expect(err.message).toContain('t.arrows: row 1: ingest: "bogus": column op: one of read');
    const typed = await loadError('t.arrows', tableToIPC(new Table([foreignBatch(['read'], [0], [0], new Int32())]), 'stream'));
    expect(typed.issues[0]).toMatchObject({ code: 'bad-column-type', text: 'ts: Int32' });
  });

  it('rejects nulls, naming the row', async () => {
    const schema = new Schema([new Field('ts', new Float64(), true), ...eventSchema().fields.slice(1)]);
    const good = foreignBatch(['read'], [0, 0], [0, 1]);
    const tsNull = makeData({ type: new Float64(), length: 2, nullCount: 1, data: new Float64Array([0, 0]), nullBitmap: new Uint8Array([1]) });
    const children = [tsNull, ...good.data.children.slice(1)];
    const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 2, nullCount: 0, children }));
    const err = await loadError('n.arrows', tableToIPC(new Table([batch]), 'stream'));
    expect(err.issues[0]).toMatchObject({ code: 'null-value', row: 1 });
  });

  it("reads mmreplay's own files with their footer metadata and keeps observed objects", async () => {
    const dir = tempDir();
    const arrowOf = async (name: string, csv: string, objects: string[]): Promise<Uint8Array> => {
      const path = join(dir, name);
      const file = new AtomicFile(path);
      const w = new ArrowEventWriter(file);
      const res = await ingest([sourceOf('in.csv', csv)], { onBatch: (b) => w.write(b) });
      await w.finish(new Map(res.metadata).set(META.observedObjects, JSON.stringify(objects)));
      file.commit();
      return new Uint8Array(readFileSync(path));
    };
    const row = (pid: number, ts: number) => `${ts},${pid},${pid},obs_mmap_lock_start,1,0,1\n${ts + 1},${pid},${pid},read,0x10,,\n`;
    const a = await arrowOf('a.arrow', `ts,pid,tid,op,addr,len,arg\n${row(1, 0)}`, ['mm=0xa', 'mm=0xb']);
    const b = await arrowOf('b.arrow', `ts,pid,tid,op,addr,len,arg\n${row(2, 5)}`, ['mm=0xc', 'mm=0xd']);
    const two = await loadEventTable([sourceOf('a.arrow', a, 64), sourceOf('b.arrow', b, 1000)]);
    expect(two.inputs[0]!.metadata.get(META.sourcePath)).toBe('in.csv');
    expect(two.objects).toEqual(['mm=0xa', 'mm=0xb', 'mm=0xc', 'mm=0xd']);
    expect(rowsOf(two).filter((r) => r.op === 'obs_mmap_lock_start').map((r) => two.objects[r.addr])).toEqual(['mm=0xb', 'mm=0xd']);
    expect(Array.from(two.columns.addr)).toEqual([1, 16, 3, 16]);
  });
});
