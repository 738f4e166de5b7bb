/**
 * Acceptance on the real traces recorded on a 6.18 kernel (traces/README.md): every replayable
 * event in the text becomes exactly one row. The expected counts come from an independent
 * reading of the text (regular expressions per line, not the readers' char scans, pairing and
 * grouping), and each row's line number must point at a line of the right event.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPerfReader, sniffPerf } from '../../src/ingest/perf.js';
import { createFtraceReader, sniffFtrace } from '../../src/ingest/ftrace.js';
import { createLackeyReader } from '../../src/ingest/lackey.js';
import type { ReaderContext, TraceReader } from '../../src/ingest/reader.js';
import { readText, type SinkRow } from '../helpers/sink.js';

const TRACES = join(import.meta.dirname, '..', '..', 'traces');
const text = (name: string): string => gunzipSync(readFileSync(join(TRACES, name))).toString('utf8');

/** Feed in 64 KiB pieces, as the pipeline's decoder does. */
const ingestText = (make: (ctx: ReaderContext) => TraceReader, t: string) => readText(make, t, {}, 65536);

/** Replayable events counted from the text alone, by op, plus the line numbers of each op. */
function countReplayable(t: string): { counts: Record<string, number>; lines: Map<number, string> } {
  const counts: Record<string, number> = {};
  const lines = new Map<number, string>();
  const add = (op: string, no: number): void => {
    counts[op] = (counts[op] ?? 0) + 1;
    lines.set(no, op);
  };
  const pendingMmap = new Map<string, number>(); // tid -> line of the sys_enter_mmap
  t.split('\n').forEach((line, i) => {
    const no = i + 1;
    // the tid: `comm-TID [cpu]` (ftrace, trace-cmd), `comm TID [cpu]` or `comm PID/TID [cpu]` (perf)
    const tid = /[-\s/](\d+)\s+(?:\([^)]*\)\s+)?\[\d+\]/.exec(line)?.[1] ?? '';
    let m: RegExpExecArray | null;
    if ((m = /page_fault_user: +address=0x[0-9a-f]+ ip=0x[0-9a-f]+ error_code=0x([0-9a-f]+)/.exec(line))) {
      const code = parseInt(m[1]!, 16);
      add(code & 0x10 ? 'fetch' : code & 0x2 ? 'write' : 'read', no);
    } else if (/sys_enter_mmap: |sys_mmap\(/.test(line)) {
      pendingMmap.set(tid, no);
    } else if ((m = /(?:sys_exit_mmap: +|sys_mmap -> )(0x[0-9a-f]+)/.exec(line))) {
      const enter = pendingMmap.get(tid);
      pendingMmap.delete(tid);
      if (enter !== undefined && BigInt(m[1]!) < 2n ** 63n) add('mmap', enter);
    } else if (/sys_enter_munmap: |sys_munmap\(/.test(line)) {
      add('munmap', no);
    } else if (/sys_enter_mprotect: |sys_mprotect\(/.test(line)) {
      add('mprotect', no);
    } else if ((m = /(?:sys_enter_madvise: |sys_madvise\().*behavior: (?:0x)?([0-9a-f]+)/.exec(line))) {
      const advice = parseInt(m[1]!, 16);
      if (advice === 4) add('discard', no);
      if (advice === 21) add('swapout', no);
    } else if (/sched_process_exit: /.test(line)) {
      add('exit', no);
    } else if ((m = /task_newtask: +pid=\d+ comm=.* clone_flags=([0-9a-f]+)/.exec(line))) {
      if ((parseInt(m[1]!, 16) & 0x100) === 0) add('fork', no); // no CLONE_VM: a new process
    }
  });
  return { counts, lines };
}

function countOps(rows: readonly SinkRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rows) if (!r.op.startsWith('obs_')) counts[r.op] = (counts[r.op] ?? 0) + 1;
  return counts;
}

const TRACEPOINT_TRACES = [
  { file: 'mtwork.perf.txt.gz', make: createPerfReader, sniff: sniffPerf },
  { file: 'mtwork.pid.perf.txt.gz', make: createPerfReader, sniff: sniffPerf },
  { file: 'mtwork.ftrace.txt.gz', make: createFtraceReader, sniff: sniffFtrace },
  { file: 'mtwork.trace-cmd.txt.gz', make: createFtraceReader, sniff: sniffFtrace },
];

describe('real tracepoint traces of traces/src/mtwork.c', () => {
  for (const { file, make, sniff } of TRACEPOINT_TRACES) {
    it(`${file}: exactly one row per replayable event, each at a line of that event`, () => {
      const t = text(file);
      expect(sniff(t.slice(0, 65536))).toBe(true);
      const expected = countReplayable(t);
      const ctx = ingestText(make, t);
      expect(ctx.issues.errors).toEqual([]);
      expect(ctx.events.violations).toEqual([]);
      const replayable = ctx.events.rows.filter((r) => !r.op.startsWith('obs_'));
      expect(countOps(replayable)).toEqual(expected.counts);
      for (const r of replayable) expect([r.line, expected.lines.get(r.line)]).toEqual([r.line, r.op]);
      // the workload: 4 threads and 1 forked child, so 2 processes and 6 threads exit
      expect(expected.counts.fork).toBe(1);
      expect(expected.counts.exit).toBe(6);
      expect(new Set(ctx.events.rows.map((r) => r.pid)).size).toBe(2);
      // mmap_lock observations: one row per mmap_lock line
      const lockLines = t.split('\n').filter((l) => /mmap_lock_(start_locking|acquire_returned|released):/.test(l)).length;
      expect(ctx.events.ops('obs_mmap_lock_start', 'obs_mmap_lock_acquired', 'obs_mmap_lock_released').length).toBe(lockLines);
      expect(ctx.counters.get('skipped_move_pages')).toBe(1);
    });
  }

  it('groups the tid-only perf script exactly as the same recording printed with pids', () => {
    const tidOnly = ingestText(createPerfReader, text('mtwork.perf.txt.gz'));
    const withPids = ingestText(createPerfReader, text('mtwork.pid.perf.txt.gz'));
    const strip = (rows: readonly SinkRow[]) => rows.map(({ line: _line, ...r }) => r);
    expect(strip(tidOnly.events.rows)).toEqual(strip(withPids.events.rows));
    expect(tidOnly.counters.get('pid_grouping_inferred')).toBe(6);
    expect(tidOnly.counters.get('pid_grouping_assumed')).toBe(0);
    expect(withPids.counters.get('pid_grouping_inferred')).toBe(0);
  });
});

describe('real software page-fault trace (perf record -e page-faults -c 1 -d)', () => {
  it('makes one read per sample at its addr, with the printed pid and tid', () => {
    const t = text('mtwork.pagefaults.perf.txt.gz');
    const samples = t.split('\n').map((l) => /^\s*\S+\s+(\d+)\/(\d+)\s+[\d.]+: page-faults:\s+([0-9a-f]+)\s/.exec(l)).filter((m) => m !== null);
    const ctx = ingestText(createPerfReader, t);
    expect(ctx.issues.errors).toEqual([]);
    const user = samples.filter((m) => BigInt(`0x${m[3]}`) < 2n ** 53n);
    expect(ctx.events.rows.map((r) => [r.pid, r.tid, r.op, r.addr])).toEqual(
      user.map((m) => [Number(m[1]), Number(m[2]), 'read', parseInt(m[3]!, 16)]));
    expect(ctx.counters.get('skipped_kernel_address')).toBe(samples.length - user.length);
    expect(user.length).toBeGreaterThan(300);
  });
});

describe('real valgrind lackey trace of traces/src/lackey_demo.c', () => {
  it('has one row per I/L/S line and two per M line', () => {
    const t = text('lackey_demo.lackey.txt.gz');
    let expected = 0;
    for (const l of t.split('\n')) {
      if (/^(I | L| S) [0-9a-f]+,\d+$/.test(l)) expected += 1;
      else if (/^ M [0-9a-f]+,\d+$/.test(l)) expected += 2;
    }
    const ctx = ingestText((c) => createLackeyReader(c), t);
    expect(ctx.issues.errors).toEqual([]);
    expect(ctx.events.rows.length).toBe(expected);
    expect(expected).toBeGreaterThan(500_000);
  });
});
