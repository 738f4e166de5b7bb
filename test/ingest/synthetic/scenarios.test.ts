import { describe, expect, it } from 'vitest';
import {
  FOLL_LONGTERM, FOLL_WRITE, MMAP_FILE, MMAP_FILE_ID_SHIFT, MMAP_RDONLY, MMAP_SHARED, Op, PAGE_SIZE, PROT_READ, PROT_READ_WRITE,
  type EventRow,
} from '../../../src/ingest/schema.js';
import { SCENARIOS } from '../../../src/ingest/synthetic/index.js';
import { distinct, gen, ofOp, structuralProblems } from './trace_check.js';

/** Small settings per scenario, and variants that take other code paths. */
const SMALL: Record<string, string[][]> = {
  'migration-selftest': [['iterations=200', 'map_pages=16'], ['mode=shared_anon', 'iterations=200', 'map_pages=16', 'readers=4']],
  'gup-after-fork': [['rounds=100'], ['child=live', 'ref=gup', 'writers=3', 'rounds=50']],
  'swapin-race': [['rounds=10'], ['rounds=5', 'threads=2', 'swapouts=3', 'write_pct=100']],
  'zram-swapin': [['size_mib=1'], ['size_mib=1', 'threads=3', 'passes=2']],
  'mmap-vs-file-reads': [['reads=200', 'loops=200', 'file_mib=4'], ['readers=3', 'reads=100', 'loops=50', 'file_mib=1']],
  pft: [['pages=64'], ['threads=3', 'pages=16', 'iterations=3']],
  'vma-adjust-race': [['rounds=200', 'children=5'], ['rounds=100', 'children=0', 'readers=3', 'swing=3', 'pages=16']],
  mixed: [['duration_ms=3'], ['duration_ms=2', 'threads=2', 'heap_mib=1', 'file_mib=1', 'write_pct=100']],
};

const byTid = (rows: readonly EventRow[], tid: number): EventRow[] => rows.filter((r) => r.tid === tid);
const key = (rows: readonly EventRow[]): string => rows.map((r) => `${r.ts},${r.pid},${r.tid},${r.op},${r.addr},${r.len},${r.arg}`).join('\n');

describe('every scenario', () => {
  it('has small settings in this test (a new scenario needs them)', () => {
    expect(Object.keys(SMALL).sort()).toEqual(SCENARIOS.map((s) => s.name).sort());
  });

  for (const s of SCENARIOS) {
    describe(s.name, () => {
      it('runs with its defaults and keeps the structural promises', () => {
        const { rows } = gen(s.name);
        expect(rows.length).toBeGreaterThan(100);
        expect(structuralProblems(rows)).toEqual([]);
      });

      for (const sets of SMALL[s.name] ?? []) {
        it(`keeps the structural promises with ${sets.join(' ')}`, () => {
          const { rows } = gen(s.name, sets);
          expect(rows.length).toBeGreaterThan(10);
          expect(structuralProblems(rows)).toEqual([]);
        });
      }

      it('is deterministic for a seed and changes with the seed', () => {
        const sets = SMALL[s.name]![0]!;
        const a = key(gen(s.name, sets, 5).rows);
        expect(key(gen(s.name, sets, 5).rows)).toBe(a);
        expect(key(gen(s.name, sets, 6).rows)).not.toBe(a);
      });
    });
  }
});

describe('migration-selftest', () => {
  it('private_anon: reader threads of one process load *ptr while the main thread alternates nodes 1, 0, 1 ...', () => {
    const { rows } = gen('migration-selftest', ['iterations=101', 'readers=3', 'map_pages=8']);
    const migrates = ofOp(rows, 'migrate');
    expect(migrates.map((r) => r.arg)).toEqual(Array.from({ length: 101 }, (_, i) => (i % 2 === 0 ? 1 : 0)));
    const base = ofOp(rows, 'mmap')[0]!;
    expect(base.arg & MMAP_SHARED).toBe(0);
    expect(distinct(migrates, (r) => `${r.addr},${r.len},${r.tid}`)).toEqual([`${base.addr},${PAGE_SIZE},${base.tid}`]);
    expect(distinct(rows, (r) => r.pid)).toEqual([base.pid]);
    const readers = distinct(ofOp(rows, 'read'), (r) => r.tid);
    expect(readers).toHaveLength(3);
    expect(readers).not.toContain(base.tid);
    expect(distinct(ofOp(rows, 'read'), (r) => r.addr)).toEqual([base.addr]);
    // The memset (first touch of every page) finishes before any reader loads.
    const writes = ofOp(rows, 'write');
    expect(writes).toHaveLength(8);
    expect(Math.max(...writes.map((r) => r.ts))).toBeLessThan(Math.min(...ofOp(rows, 'read').map((r) => r.ts)));
    // Readers load during the whole migration loop, not only before or after it.
    for (const tid of readers) {
      const ts = byTid(rows, tid).filter((r) => r.op === Op.read).map((r) => r.ts);
      expect(Math.min(...ts)).toBeLessThan(migrates[10]!.ts);
      expect(Math.max(...ts)).toBeGreaterThan(migrates.at(-10)!.ts);
    }
    expect(ofOp(rows, 'exit')).toHaveLength(4);
  });

  it('shared_anon: readers are forked children of a MAP_SHARED mapping', () => {
    const { rows } = gen('migration-selftest', ['mode=shared_anon', 'iterations=20', 'readers=4', 'map_pages=4']);
    expect(ofOp(rows, 'mmap')[0]!.arg & MMAP_SHARED).toBe(MMAP_SHARED);
    const forks = ofOp(rows, 'fork');
    expect(forks).toHaveLength(4);
    const readerPids = distinct(ofOp(rows, 'read'), (r) => r.pid).sort();
    expect(readerPids).toEqual(forks.map((f) => f.arg).sort());
    // The fork happens after the memset, so the children share the already-faulted page.
    expect(forks[0]!.ts).toBeGreaterThan(ofOp(rows, 'write').at(-1)!.ts);
  });
});

describe('gup-after-fork', () => {
  it('pins with FOLL_WRITE|FOLL_LONGTERM, forks, waits for the exiting child, then writes; the device DMAs throughout', () => {
    const { rows } = gen('gup-after-fork', ['rounds=50', 'pages=8']);
    const [pin] = ofOp(rows, 'pin');
    const [fork] = ofOp(rows, 'fork');
    expect(pin!.arg).toBe(FOLL_WRITE | FOLL_LONGTERM);
    expect(pin!.len).toBe(8 * PAGE_SIZE);
    expect(fork!.ts).toBeGreaterThan(pin!.ts);
    const child = byTid(rows, fork!.arg);
    expect(child.map((r) => r.op)).toEqual([Op.exit]);
    const parentWritesAfter = rows.filter((r) => r.pid === pin!.pid && r.tid === pin!.tid && r.op === Op.write && r.ts > fork!.ts);
    expect(parentWritesAfter.length).toBe(50);
    expect(parentWritesAfter[0]!.ts).toBeGreaterThan(child[0]!.ts);
    const dma = rows.filter((r) => r.op === Op.dma_write || r.op === Op.dma_read);
    expect(distinct(dma, (r) => r.pid)).toEqual([pin!.pid]);
    expect(distinct(dma, (r) => r.tid)).toHaveLength(1);
    expect(dma[0]!.ts).toBeLessThan(fork!.ts);
    expect(dma.some((r) => r.op === Op.dma_write && r.ts > parentWritesAfter[0]!.ts)).toBe(true);
    // The parent reads back, and deregisters only after the device has gone quiet.
    expect(rows.filter((r) => r.pid === pin!.pid && r.op === Op.read).length).toBe(50);
    const [unpin] = ofOp(rows, 'unpin');
    expect(unpin!.ts).toBeGreaterThan(dma.at(-1)!.ts);
  });

  it('child=live keeps the child writing its copy; ref=gup uses gup/gup_put with FOLL_WRITE', () => {
    const { rows } = gen('gup-after-fork', ['rounds=40', 'child=live', 'ref=gup', 'writers=2']);
    expect(ofOp(rows, 'pin')).toHaveLength(0);
    expect(ofOp(rows, 'gup').map((r) => r.arg)).toEqual([FOLL_WRITE]);
    expect(ofOp(rows, 'gup_put')).toHaveLength(1);
    const [fork] = ofOp(rows, 'fork');
    const child = byTid(rows, fork!.arg);
    expect(child.filter((r) => r.op === Op.write).length).toBeGreaterThan(5);
    const parentWriters = distinct(rows.filter((r) => r.pid === fork!.pid && r.op === Op.write && r.ts > fork!.ts), (r) => r.tid);
    expect(parentWriters).toHaveLength(2);
  });
});

describe('swapin-race', () => {
  it('all threads walk the same swapped-out pages in the same order each round, released together', () => {
    const pages = 8;
    const rounds = 6;
    const { rows } = gen('swapin-race', [`pages=${pages}`, `rounds=${rounds}`, 'threads=3']);
    const main = ofOp(rows, 'mmap')[0]!.tid;
    const accesses = rows.filter((r) => (r.op === Op.read || r.op === Op.write) && r.tid !== main);
    const tids = distinct(accesses, (r) => r.tid);
    expect(tids).toHaveLength(3);
    const seqs = tids.map((tid) => accesses.filter((r) => r.tid === tid));
    for (const s of seqs) expect(s).toHaveLength(pages * rounds);
    for (let r = 0; r < rounds; r++) {
      const orders = seqs.map((s) => s.slice(r * pages, (r + 1) * pages).map((x) => x.addr).join());
      expect(new Set(orders).size).toBe(1);
      const starts = seqs.map((s) => s[r * pages]!.ts);
      expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(100);
    }
    // The start page varies between rounds.
    expect(new Set(seqs[0]!.filter((_, i) => i % pages === 0).map((x) => x.addr)).size).toBeGreaterThan(1);
    // One swapout after the fill, then `swapouts` per round; each round's first comes before its touches.
    const swapouts = ofOp(rows, 'swapout');
    expect(swapouts).toHaveLength(1 + 2 * rounds);
    for (let r = 0; r < rounds; r++) expect(swapouts[1 + 2 * r]!.ts).toBeLessThan(seqs[0]![r * pages]!.ts);
    expect(ofOp(rows, 'write').length).toBeGreaterThan(pages); // write_pct 50
  });

  it('rejects a round gap too short for its touches', () => {
    expect(() => gen('swapin-race', ['pages=100', 'touch_gap_ns=1000', 'round_gap_ns=100000'])).toThrow(/round_gap_ns \(100000\) must exceed/);
  });
});

describe('zram-swapin', () => {
  it('writes every page, swaps the region out, then reads it back sequentially', () => {
    const { rows } = gen('zram-swapin', ['size_mib=1']);
    const pages = 256;
    const writes = ofOp(rows, 'write');
    const reads = ofOp(rows, 'read');
    const [swapout] = ofOp(rows, 'swapout');
    expect(writes).toHaveLength(pages);
    expect(reads).toHaveLength(pages);
    expect(swapout!.len).toBe(pages * PAGE_SIZE);
    expect(writes.at(-1)!.ts).toBeLessThan(swapout!.ts);
    expect(reads[0]!.ts).toBeGreaterThan(swapout!.ts);
    expect(reads.map((r) => r.addr)).toEqual(writes.map((r) => r.addr));
    expect(reads.every((r, i) => i === 0 || r.addr === reads[i - 1]!.addr + PAGE_SIZE)).toBe(true);
  });

  it('threads=3 passes=2: disjoint slices covering the region, each swapped out and read twice', () => {
    const { rows } = gen('zram-swapin', ['size_mib=1', 'threads=3', 'passes=2']);
    const tids = distinct(ofOp(rows, 'swapout'), (r) => r.tid);
    expect(tids).toHaveLength(3);
    const slices = tids.map((tid) => ofOp(byTid(rows, tid), 'write').map((r) => r.addr));
    const all = slices.flat();
    expect(new Set(all).size).toBe(256);
    expect(all).toHaveLength(256);
    for (const tid of tids) expect(ofOp(byTid(rows, tid), 'swapout')).toHaveLength(2);
    expect(ofOp(rows, 'read')).toHaveLength(512);
  });
});

describe('mmap-vs-file-reads', () => {
  it('readers read a file-backed mapping at random while one thread loops mmap/munmap', () => {
    const { rows } = gen('mmap-vs-file-reads', ['reads=300', 'loops=100', 'file_mib=2', 'readers=2']);
    const [file] = ofOp(rows, 'mmap');
    expect(file!.arg & MMAP_FILE).toBe(MMAP_FILE);
    expect(file!.arg & MMAP_RDONLY).toBe(MMAP_RDONLY);
    expect(Math.floor(file!.arg / 2 ** MMAP_FILE_ID_SHIFT)).toBe(1);
    const reads = ofOp(rows, 'read');
    expect(reads).toHaveLength(600);
    expect(reads.every((r) => r.addr >= file!.addr && r.addr + r.len <= file!.addr + file!.len)).toBe(true);
    expect(new Set(reads.map((r) => Math.floor(r.addr / PAGE_SIZE))).size).toBeGreaterThan(200);
    const loop = rows.filter((r) => r.tid === file!.tid && (r.op === Op.mmap || r.op === Op.munmap) && r.addr !== file!.addr);
    expect(loop).toHaveLength(200);
    expect(loop.every((r, i) => r.op === (i % 2 === 0 ? Op.mmap : Op.munmap))).toBe(true);
    // The loop overlaps the readers in time.
    expect(loop[0]!.ts).toBeLessThan(reads.at(-1)!.ts);
    expect(reads[0]!.ts).toBeLessThan(loop.at(-1)!.ts);
  });
});

describe('pft', () => {
  it('as pft.c: the launch thread maps one region; each thread writes every page of its own piece once', () => {
    const { rows } = gen('pft', ['threads=3', 'pages=20']);
    const maps = ofOp(rows, 'mmap');
    expect(maps).toHaveLength(1);
    expect(maps[0]!.len).toBe(60 * PAGE_SIZE);
    expect(ofOp(rows, 'munmap')).toHaveLength(0);
    const tids = distinct(rows, (r) => r.tid);
    expect(tids).toHaveLength(3);
    expect(maps[0]!.tid).toBe(tids[0]);
    const pieces = tids.map((tid) => ofOp(byTid(rows, tid), 'write').map((r) => (r.addr - maps[0]!.addr) / PAGE_SIZE));
    // Thread j's piece is pages [20j, 20j + 20), written in order (start_workers, pft_loop).
    expect(pieces.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    for (const piece of pieces) expect(piece).toEqual(Array.from({ length: 20 }, (_, i) => piece[0]! + i));
    expect(maps[0]!.ts).toBeLessThan(Math.min(...ofOp(rows, 'write').map((r) => r.ts)));
  });

  it('mapping=per-thread: each thread maps its own region and writes every page of it once per iteration', () => {
    const { rows } = gen('pft', ['threads=3', 'pages=20', 'iterations=2', 'mapping=per-thread']);
    const tids = distinct(rows, (r) => r.tid);
    expect(tids).toHaveLength(3);
    const regions = new Set<number>();
    for (const tid of tids) {
      const own = byTid(rows, tid);
      const maps = ofOp(own, 'mmap');
      expect(maps).toHaveLength(2);
      expect(ofOp(own, 'munmap')).toHaveLength(2);
      regions.add(maps[0]!.addr);
      const writes = ofOp(own, 'write');
      expect(writes).toHaveLength(40);
      expect(new Set(writes.map((r) => r.addr)).size).toBe(20);
    }
    expect(regions.size).toBe(3);
    // Threads run concurrently: their writes interleave in time.
    const firstWrite = tids.map((tid) => ofOp(byTid(rows, tid), 'write')[0]!.ts);
    const lastWrite = tids.map((tid) => ofOp(byTid(rows, tid), 'write').at(-1)!.ts);
    expect(Math.max(...firstWrite)).toBeLessThan(Math.min(...lastWrite));
  });
});

describe('vma-adjust-race', () => {
  it('moves the boundary down and back with mprotect while compaction runs and children fork and exit', () => {
    const { rows } = gen('vma-adjust-race', ['rounds=100', 'children=5', 'pages=32', 'swing=4']);
    const [map] = ofOp(rows, 'mmap');
    const half = map!.addr + 16 * PAGE_SIZE;
    const mprotects = ofOp(rows, 'mprotect');
    expect(mprotects[0]).toMatchObject({ addr: half, arg: PROT_READ });
    const moves = mprotects.slice(1);
    expect(moves).toHaveLength(100);
    for (let i = 0; i < moves.length; i += 2) {
      const down = moves[i]!;
      const up = moves[i + 1]!;
      expect(down.arg).toBe(PROT_READ);
      expect(up.arg).toBe(PROT_READ_WRITE);
      expect(down.addr + down.len).toBe(half);
      expect(up.addr).toBe(down.addr);
      expect(down.len).toBeLessThanOrEqual(4 * PAGE_SIZE);
    }
    const compacts = ofOp(rows, 'compact');
    expect(compacts.length).toBeGreaterThan(10);
    expect(distinct(compacts, (r) => r.pid)).toEqual([map!.pid]);
    expect(compacts[0]!.ts).toBeLessThan(moves[5]!.ts);
    expect(compacts.at(-1)!.ts).toBeGreaterThan(moves.at(-5)!.ts);
    const forks = ofOp(rows, 'fork');
    expect(forks).toHaveLength(5);
    for (const f of forks) {
      const child = byTid(rows, f.arg);
      expect(child.at(-1)!.op).toBe(Op.exit);
      expect(child.filter((r) => r.op !== Op.exit).every((r) => r.op === Op.read)).toBe(true);
    }
  });

  it('rejects a swing of half the region or more', () => {
    expect(() => gen('vma-adjust-race', ['pages=16', 'swing=8'])).toThrow(/swing \(8\) must be below pages \/ 2/);
  });
});

describe('mixed', () => {
  it('combines faults, swap, migration, compaction, fork, pins, DMA and address-space changes across processes', () => {
    const { rows } = gen('mixed');
    expect(rows.length).toBeGreaterThan(10_000);
    expect(rows.length).toBeLessThan(100_000);
    for (const op of ['read', 'write', 'mmap', 'munmap', 'mprotect', 'discard', 'swapout', 'migrate', 'compact', 'pin', 'unpin', 'dma_write', 'dma_read', 'fork', 'exit'] as const) {
      expect(ofOp(rows, op).length, op).toBeGreaterThan(0);
    }
    expect(ofOp(rows, 'mmap').some((r) => (r.arg & MMAP_FILE) !== 0)).toBe(true);
    expect(distinct(rows, (r) => r.pid).length).toBeGreaterThanOrEqual(4);
    expect(distinct(ofOp(rows, 'migrate'), (r) => r.arg).sort()).toEqual([0, 1]);
    // Processes overlap in time: the db, batch and rdma processes all run until near the end.
    const end = rows.at(-1)!.ts;
    for (const pid of [1000, 1001, 1003]) {
      expect(Math.max(...rows.filter((r) => r.pid === pid).map((r) => r.ts))).toBeGreaterThan(end * 0.9);
    }
  });

  it('scales with duration_ms', () => {
    const short = gen('mixed', ['duration_ms=2']).rows.length;
    const long = gen('mixed', ['duration_ms=8']).rows.length;
    expect(long).toBeGreaterThan(3 * short);
  });
});
