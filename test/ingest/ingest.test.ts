import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingest, type IngestSource } from '../../src/ingest/ingest.js';
import { loadEventTable } from '../../src/ingest/load.js';
import { FIRST_OBSERVATION_OP, FORMAT_VERSION, META, OPS, Op, defaultLen } from '../../src/ingest/schema.js';
import { writerFor } from '../../src/ingest/writer.js';
import { AtomicFile } from '../../src/cli/atomic_file.js';
import { load, rowsOf, sourceOf, tempDir, type NamedRow } from '../helpers/sources.js';

/** Ingest `sources` to `path` through the atomic writer, as the CLI does. */
async function ingestTo(sources: IngestSource[], path: string): Promise<void> {
  const file = new AtomicFile(path);
  const w = writerFor(path, file);
  const res = await ingest(sources, { onBatch: (b) => w.write(b), batchRows: 16 });
  await w.finish(res.metadata);
  file.commit();
}

const MAX = 2 ** 53 - 1;
const nonFork = OPS.map((_, code) => code).filter((c) => c !== Op.fork);

/** Random valid traces: per-thread ts non-decreasing (rows sorted by ts), tid bound to one pid. */
const traceArb = fc.array(
  fc.record({
    ts: fc.integer({ min: 0, max: MAX }), tid: fc.integer({ min: 1, max: 6 }), op: fc.constantFrom(...nonFork),
    addr: fc.integer({ min: 0, max: MAX }), len: fc.option(fc.integer({ min: 0, max: MAX })), arg: fc.option(fc.integer({ min: 0, max: MAX })),
    hex: fc.boolean(),
  }),
  { maxLength: 60 },
).map((rows) => rows.sort((a, b) => a.ts - b.ts));

describe('ingest pipeline', () => {
  it('round-trips CSV -> Arrow -> CSV losslessly (property)', async () => {
    const dir = tempDir();
    await fc.assert(fc.asyncProperty(traceArb, fc.integer({ min: 1, max: 200 }), async (trace, chunk) => {
      const lines = trace.map((r) => [
        r.op === Op.read && r.len === null ? '' : r.arg ?? '', r.hex ? `0x${r.addr.toString(16)}` : String(r.addr),
        OPS[r.op], r.tid, 100 + (r.tid % 3), r.ts, r.len ?? '',
      ].join(','));
      const csv = `arg,addr,op,tid,pid,ts,len\n${lines.join('\n')}\n`;
      const expected: NamedRow[] = trace.map((r) => ({
        ts: r.ts, pid: 100 + (r.tid % 3), tid: r.tid, op: OPS[r.op]!, addr: r.addr,
        len: r.len ?? defaultLen(r.op), arg: r.op === Op.read && r.len === null ? 0 : r.arg ?? 0,
      }));
      await ingestTo([sourceOf('in.csv', csv, chunk)], join(dir, 'a.arrow'));
      await ingestTo([sourceOf('a.arrow', new Uint8Array(readFileSync(join(dir, 'a.arrow'))), chunk)], join(dir, 'b.csv'));
      const back = readFileSync(join(dir, 'b.csv'), 'utf8');
      expect(rowsOf(await load('b.csv', back))).toEqual(expected);
      const canonical = expected.map((r) => `${r.ts},${r.pid},${r.tid},${r.op},0x${r.addr.toString(16)},${r.len},${r.arg}`);
      expect(back).toBe(`ts,pid,tid,op,addr,len,arg\n${canonical.map((l) => `${l}\n`).join('')}`);
    }), { numRuns: 40 });
  });

  it('concatenates inputs in order and writes the contract metadata', async () => {
    const a = 'ts,pid,tid,op,addr\n0,1,1,read,0x10\n';
    const b = 'ts,pid,tid,op,addr\n5,1,1,write,0x10\n';
    const t = await loadEventTable([sourceOf('a.csv', a), sourceOf('b.csv', b)]);
    expect(rowsOf(t).map((r) => r.op)).toEqual(['read', 'write']);
    expect(t.metadata.get(META.formatVersion)).toBe(FORMAT_VERSION);
    expect(JSON.parse(t.metadata.get(META.sourcePath)!)).toEqual(['a.csv', 'b.csv']);
    expect(JSON.parse(t.metadata.get(META.sourceFormat)!)).toEqual(['csv', 'csv']);
    expect(JSON.parse(t.metadata.get(META.sourceSha256)!)).toHaveLength(2);
    expect(JSON.parse(t.metadata.get(META.counters)!)).toEqual({ events_written: 2, rows_read: 2 });
    expect(t.metadata.get(META.observedObjects)).toBe('[]');
    const one = await load('a.csv', a);
    expect(one.metadata.get(META.sourceSha256)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('returns one contiguous array per column across many batches', async () => {
    const n = 1000;
    const csv = `ts,pid,tid,op,addr,len,arg\n${Array.from({ length: n }, (_, i) => `${i},1,1,${i % 7 === 0 ? 'obs_contention_begin' : 'write'},${i},,\n`).join('')}`;
    const t = await loadEventTable([sourceOf('t.csv', csv, 333)], { batchRows: 64 });
    expect(t.rows).toBe(n);
    for (const col of Object.values(t.columns)) expect(col.length).toBe(n);
    expect(t.columns.ts).toBeInstanceOf(Float64Array);
    expect(t.columns.op).toBeInstanceOf(Int8Array);
    expect(Array.from(t.columns.ts.subarray(60, 70))).toEqual([60, 61, 62, 63, 64, 65, 66, 67, 68, 69]);
    expect(t.counters.get('observations_written')).toBe(Math.ceil(n / 7));
    expect(t.columns.op[7]).toBeGreaterThanOrEqual(FIRST_OBSERVATION_OP);
  });

  it('reports up to the issue limit and writes no batch once an error is known at the end', async () => {
    const bad = `ts,pid,tid,op,addr\n${'x,1,1,read,0\n'.repeat(50)}`;
    let batches = 0;
    await expect(ingest([sourceOf('b.csv', bad)], { onBatch: () => { batches++; } })).rejects.toThrow(/b\.csv:21:/);
    expect(batches).toBe(0);
  });
});
