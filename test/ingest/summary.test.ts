import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Counters } from '../../src/util/diagnostics.js';
import { allocColumns } from '../../src/ingest/batch.js';
import type { EventTable } from '../../src/ingest/load.js';
import { Op } from '../../src/ingest/schema.js';
import { summarizeTrace } from '../../src/ingest/summary.js';

interface Row { pid: number; op: number; addr: number; len: number }

function tableOf(rows: Row[]): EventTable {
  const columns = allocColumns(rows.length);
  rows.forEach((r, i) => {
    columns.ts[i] = i; columns.pid[i] = r.pid; columns.tid[i] = r.pid; columns.op[i] = r.op;
    columns.addr[i] = r.addr; columns.len[i] = r.len;
  });
  return { rows: rows.length, columns, metadata: new Map(), counters: new Counters(), objects: [], warnings: [], inputs: [] };
}

/** The definition, spelled out. */
function naivePages(rows: Row[]): number {
  const seen = new Set<string>();
  for (const r of rows) {
    if (r.op > Op.fetch) continue;
    for (let a = Math.floor(r.addr / 4096); a <= Math.floor((r.addr + Math.max(1, r.len) - 1) / 4096); a++) seen.add(`${r.pid}:${a}`);
  }
  return seen.size;
}

const rowArb = (pids: number) => fc.record({
  pid: fc.integer({ min: 1, max: pids }), op: fc.constantFrom(Op.read, Op.write, Op.fetch, Op.mmap),
  addr: fc.oneof(fc.integer({ min: 0, max: 1 << 20 }), fc.integer({ min: 2 ** 52, max: 2 ** 53 - 2 ** 16 })), len: fc.integer({ min: 0, max: 20000 }),
});

describe('trace summary', () => {
  it('counts distinct (pid, 4 KiB page) pairs touched by accesses, len included (property)', () => {
    fc.assert(fc.property(fc.array(rowArb(5), { maxLength: 80 }), (rows) => {
      expect(summarizeTrace(tableOf(rows)).pagesTouched).toBe(naivePages(rows));
    }));
  });

  it('gives the same count with thousands of processes (per-process sets)', () => {
    const rows: Row[] = Array.from({ length: 9000 }, (_, i) => ({ pid: 1 + (i % 4500), op: Op.read, addr: 4096 * (i % 3) + 4000, len: 200 }));
    expect(summarizeTrace(tableOf(rows)).pagesTouched).toBe(naivePages(rows));
    expect(summarizeTrace(tableOf(rows)).pids).toHaveLength(4500);
  });

  it('reports span, ops and threads of an empty and a small table', () => {
    expect(summarizeTrace(tableOf([]))).toMatchObject({ rows: 0, tsMin: 0, tsMax: 0, spanNs: 0, pagesTouched: 0, ops: {} });
    const s = summarizeTrace(tableOf([{ pid: 3, op: Op.mmap, addr: 0, len: 4096 }, { pid: 4, op: Op.write, addr: 0, len: 1 }]));
    expect(s).toMatchObject({ tsMax: 1, spanNs: 1, pids: [3, 4], threads: 2, ops: { write: 1, mmap: 1 }, pagesTouched: 1 });
  });
});
