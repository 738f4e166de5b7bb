import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChromeTraceRecorder } from '../../src/report/timeline.js';
import { AtomicFile } from '../../src/cli/atomic_file.js';
import { tempDir } from '../helpers/sources.js';

interface TraceEvent { ph: string; pid: number; tid: number; ts: number; dur?: number; name?: string; s?: string; args?: Record<string, unknown> }

/** A recorder writing into a string, with small chunks so chunking is exercised. */
function collector(limit?: number, chunkBytes = 64) {
  const chunks: string[] = [];
  const rec = new ChromeTraceRecorder({ write: (c) => { chunks.push(c); } }, { cpuGhz: 2, limit, chunkBytes });
  return { rec, chunks, json: () => JSON.parse(chunks.join('')) as { traceEvents: TraceEvent[]; displayTimeUnit: string; otherData: Record<string, unknown> } };
}

/**
 * The schema check: per (pid, tid) track, timestamps never decrease in file order; every B has
 * its E on the same track and slices nest (a stack); X slices of one track do not overlap;
 * every track and process is named by metadata.
 */
function checkSchema(events: readonly TraceEvent[]): void {
  const stacks = new Map<string, number[]>();
  const last = new Map<string, number>();
  const xEnd = new Map<string, number>();
  const named = new Set<string>();
  for (const e of events) {
    const track = `${e.pid}/${e.tid}`;
    if (e.ph === 'M') {
      if (e.name === 'thread_name') named.add(track);
      if (e.name === 'process_name') named.add(`${e.pid}`);
      continue;
    }
    expect(typeof e.ts).toBe('number');
    if (e.ph === 'i' && e.s === 'g') continue;
    expect(named.has(track), `track ${track} named before use`).toBe(true);
    expect(named.has(`${e.pid}`)).toBe(true);
    expect(e.ts).toBeGreaterThanOrEqual(last.get(track) ?? 0);
    last.set(track, e.ts);
    const st = stacks.get(track) ?? [];
    stacks.set(track, st);
    if (e.ph === 'B') st.push(e.ts);
    else if (e.ph === 'E') {
      expect(st.length, `E without B on ${track}`).toBeGreaterThan(0);
      expect(e.ts).toBeGreaterThanOrEqual(st.pop()!);
    } else if (e.ph === 'X') {
      expect(e.dur!).toBeGreaterThanOrEqual(0);
      expect(e.ts).toBeGreaterThanOrEqual(xEnd.get(track) ?? 0);
      xEnd.set(track, e.ts + e.dur!);
    } else expect(e.ph).toBe('i');
  }
  for (const [track, st] of stacks) expect(st.length, `unclosed slices on ${track}`).toBe(0);
}

describe('Chrome trace-event timeline', () => {
  it('writes nested task slices, instants and overlapping rwsem reader holds per policy', async () => {
    const { rec, chunks, json } = collector();
    for (const [i, label] of ['linux-2.6.34-rc', 'linux-6.12'].entries()) {
      rec.policy(i, label);
      rec.task(100, 101, 'worker');
      rec.task(100, 102, 'worker');
      rec.begin(101, 'fault', 1000, { addr: '0x7f0000001000' });
      rec.begin(102, 'fault', 1100);
      rec.begin(101, 'lock-wait:mmap_lock', 2000);
      rec.end(101, 3000);
      rec.instant(101, 'refcount-failure', 4000, { holder: 'migration-wait' });
      rec.end(101, 5000);
      rec.lockHold('mmap_lock', 'rwsem:R', 101, 3000, 5000);
      rec.lockHold('mmap_lock', 'rwsem:R', 102, 3500, 4500);
      rec.lockHold('mmap_lock', 'rwsem:R', 102, 6000, 7000);
      rec.end(102, 8000);
    }
    await rec.finish();
    expect(chunks.length).toBeGreaterThan(3);
    const t = json();
    expect(t.displayTimeUnit).toBe('ns');
    expect(t.otherData).toMatchObject({ truncated: false, limit: 1_000_000 });
    checkSchema(t.traceEvents);
    const procs = t.traceEvents.filter((e) => e.name === 'process_name').map((e) => [e.pid, e.args!.name]);
    expect(procs).toEqual([[1, 'policy linux-2.6.34-rc'], [2, 'policy linux-6.12']]);
    const threads = t.traceEvents.filter((e) => e.name === 'thread_name').map((e) => `${e.pid}/${e.tid} ${e.args!.name as string}`);
    expect(threads).toEqual([
      '1/1 worker (tid 101, pid 100)', '1/2 worker (tid 102, pid 100)', '1/3 lock mmap_lock rwsem:R #1', '1/4 lock mmap_lock rwsem:R #2',
      '2/5 worker (tid 101, pid 100)', '2/6 worker (tid 102, pid 100)', '2/7 lock mmap_lock rwsem:R #1', '2/8 lock mmap_lock rwsem:R #2',
    ]);
    // 1000 cycles at 2 GHz = 500 ns = 0.5 us.
    const b = t.traceEvents.find((e) => e.ph === 'B' && e.name === 'fault' && e.tid === 1)!;
    expect(b).toMatchObject({ ts: 0.5, args: { addr: '0x7f0000001000' } });
    const holds = t.traceEvents.filter((e) => e.ph === 'X' && e.pid === 1).map((e) => [e.tid, e.ts, e.dur, e.args!.tid]);
    expect(holds).toEqual([[3, 1.5, 1, 101], [4, 1.75, 0.5, 102], [3, 3, 0.5, 102]]);
    expect(t.traceEvents.filter((e) => e.ph === 'i').map((e) => e.name)).toEqual(['refcount-failure', 'refcount-failure']);
  });

  it('closes slices still open when a policy ends (a deadlocked task)', async () => {
    const { rec, json } = collector();
    rec.policy(0, 'p');
    rec.task(1, 1, 't');
    rec.begin(1, 'fault', 10);
    rec.begin(1, 'lock-wait:mmap_lock', 20);
    rec.instant(1, 'deadlock', 40);
    rec.policy(1, 'q');
    rec.begin(1, 'fault', 10);
    await rec.finish();
    const t = json();
    checkSchema(t.traceEvents);
    expect(t.traceEvents.filter((e) => e.ph === 'E' && e.args?.unfinished === 1).length).toBe(3);
  });

  it('stops at the event limit, flags it, and still closes what it opened', async () => {
    const { rec, json } = collector(20);
    rec.policy(0, 'p');
    rec.task(1, 1, 't');
    for (let i = 0; i < 100; i++) {
      rec.begin(1, 'fault', i * 100);
      rec.begin(1, 'io-wait', i * 100 + 10);
      rec.end(1, i * 100 + 50);
      rec.lockHold('ptl', 'spinlock', 1, i * 100 + 60, i * 100 + 70);
      rec.end(1, i * 100 + 90);
    }
    await rec.finish();
    expect(rec.truncated).toBe(true);
    const t = json();
    expect(t.otherData).toMatchObject({ truncated: true, limit: 20 });
    checkSchema(t.traceEvents);
    expect(t.traceEvents.length).toBeLessThanOrEqual(20 + 2 + 1);
    expect(t.traceEvents.some((e) => e.ph === 'i' && e.s === 'g' && /truncated: limit of 20 events/.test(e.name!))).toBe(true);
  });

  it('streams into an AtomicFile that appears whole on commit, not at all on discard', async () => {
    const dir = tempDir();
    const okFile = new AtomicFile(join(dir, 'ok.json'));
    const ok = new ChromeTraceRecorder(okFile, { cpuGhz: 3, chunkBytes: 16 });
    ok.policy(0, 'linux-6.12');
    ok.begin(7, 'fault', 3000);
    ok.end(7, 6000);
    await ok.finish();
    okFile.commit();
    const t = JSON.parse(readFileSync(join(dir, 'ok.json'), 'utf8'));
    expect(t.traceEvents.filter((e: TraceEvent) => e.ph === 'B' || e.ph === 'E').map((e: TraceEvent) => e.ts)).toEqual([1, 2]);
    const badFile = new AtomicFile(join(dir, 'bad.json'));
    const bad = new ChromeTraceRecorder(badFile, { cpuGhz: 3 });
    bad.policy(0, 'x');
    badFile.discard();
    expect(readdirSync(dir)).toEqual(['ok.json']);
  });
});
