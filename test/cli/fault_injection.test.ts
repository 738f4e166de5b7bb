/**
 * Every writer under a full disk (ENOSPC) and a read-only filesystem (EROFS): one clear line
 * naming the path and the errno, exit 1 (ENOSPC) or 2 (EROFS: the user named a place that cannot
 * be written), no temporary file, nothing under a final name, no stack trace (issue 20, defect 1).
 * A small tmpfs is mounted where the machine allows it (root); the library writers are also
 * driven into a failing sink, which needs no mount.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBatchBuilder } from '../../src/ingest/batch.js';
import { Op } from '../../src/ingest/schema.js';
import { ArrowEventWriter, CsvEventWriter } from '../../src/ingest/writer.js';
import { EventsArrowWriter } from '../../src/report/events_arrow.js';
import { ChromeTraceRecorder } from '../../src/report/timeline.js';
import type { ByteSink } from '../../src/util/byte_sink.js';
import { runCaptured, type CliRun } from '../helpers/cli.js';
import { tempDir } from '../helpers/sources.js';

const TRACES = resolve('traces');
const MIXED = join(TRACES, 'mixed.csv');
const MIGRATION = join(TRACES, 'migration-selftest.csv');

/** Mount a tmpfs of `size` at `dir`; false where mounting is not permitted. */
function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const root = tempDir();
const fsDir = join(root, 'fs');
mkdirSync(fsDir);
const mounted = mountTmpfs(fsDir, '256k');
afterAll(() => {
  if (mounted) execFileSync('umount', [fsDir]);
});

/** Every file and directory under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const n of readdirSync(d).sort()) {
      const r = rel === '' ? n : `${rel}/${n}`;
      out.push(r);
      if (statSync(join(d, n)).isDirectory()) walk(join(d, n), r);
    }
  };
  walk(dir, '');
  return out;
}

/** Leave about `free` bytes free on the tmpfs (a filler file takes the rest). */
function fillLeaving(free: number): void {
  rmSync(join(fsDir, 'filler'), { force: true });
  const st = statfsSync(fsDir);
  const avail = st.bavail * st.bsize;
  if (avail > free) writeFileSync(join(fsDir, 'filler'), Buffer.alloc(avail - free));
}

/** One failure as the brief wants it: exit code, one line naming the path and errno, no stack. */
function expectOneLine(run: CliRun, code: number, path: string, errno: string): void {
  expect(run.code, run.stderr).toBe(code);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^mmreplay: cannot write ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b.*: ${errno}: `));
  expect(run.stderr).not.toMatch(/\n\s+at |triggerUncaughtException|internal error/);
}

/** The writers: a command line (cwd = the tmpfs), the path its message names, and what must not exist afterwards. */
interface Writer {
  name: string;
  /** Files to put on the tmpfs before the run (a run directory for `report --html`). */
  setup?: () => void;
  argv: string[];
  /** Path named in the message (a prefix of it is enough for run directories). */
  path: string;
}

const runDir = tempDir();
beforeAll(async () => {
  const run = await runCaptured(['replay', MIGRATION, '--no-events', '-o', join(runDir, 'run')], root);
  expect(run.code, run.stderr).toBe(0);
}, 60_000);

const WRITERS: Writer[] = [
  { name: 'ingest -o x.arrow', argv: ['ingest', MIXED, '-o', 'x.arrow'], path: 'x.arrow' },
  { name: 'ingest -o x.csv', argv: ['ingest', MIXED, '-o', 'x.csv'], path: 'x.csv' },
  { name: 'generate -o', argv: ['generate', 'mixed', '-o', 'g.arrow'], path: 'g.arrow' },
  { name: 'replay -o (events.arrow)', argv: ['replay', MIXED, '-o', 'run'], path: 'run' },
  { name: 'replay -o --no-events (CSV files)', argv: ['replay', MIGRATION, '--no-events', '-o', 'run'], path: 'run' },
  { name: 'replay --timeline', argv: ['replay', MIGRATION, '--no-events', '-o', join(root, 'elsewhere'), '--timeline', 't.json'], path: 't.json' },
  { name: 'report --html', setup: () => cpSync(join(runDir, 'run'), join(fsDir, 'run'), { recursive: true }), argv: ['report', 'run', '--html'], path: 'run/report.html' },
  { name: 'selftest --csv', argv: ['selftest', 'cow', '--csv', 'cow.csv'], path: 'cow.csv' },
  { name: 'analyze -o', argv: ['analyze', MIXED, '-o', 'an'], path: 'an' },
];

describe.runIf(mounted)('every writer on a full disk and on a read-only filesystem (tmpfs)', () => {
  for (const w of WRITERS) {
    it(`${w.name}: ENOSPC -> exit 1, one line, nothing left`, async () => {
      for (const n of readdirSync(fsDir)) rmSync(join(fsDir, n), { recursive: true, force: true });
      w.setup?.();
      const before = tree(fsDir);
      fillLeaving(4096);
      const run = await runCaptured(w.argv, fsDir);
      expectOneLine(run, 1, w.path, 'ENOSPC');
      rmSync(join(fsDir, 'filler'));
      // No temporary file, and nothing new under a final name: the tree is what the setup made.
      expect(tree(fsDir)).toEqual(before);
      expect(existsSync(join(root, 'elsewhere'))).toBe(false);
    });

    it(`${w.name}: EROFS -> exit 2, one line, nothing left`, async () => {
      for (const n of readdirSync(fsDir)) rmSync(join(fsDir, n), { recursive: true, force: true });
      w.setup?.();
      const before = tree(fsDir);
      execFileSync('mount', ['-o', 'remount,ro', fsDir]);
      try {
        const run = await runCaptured(w.argv, fsDir);
        expectOneLine(run, 2, w.path, 'EROFS');
        expect(tree(fsDir)).toEqual(before);
        expect(existsSync(join(root, 'elsewhere'))).toBe(false);
      } finally {
        execFileSync('mount', ['-o', 'remount,rw', fsDir]);
      }
    });
  }
});

/** A sink that takes `room` bytes, then fails as a full disk does. */
class FullSink implements ByteSink {
  taken = 0;
  constructor(private readonly room: number) {}
  write(chunk: Uint8Array | string): void {
    this.taken += chunk.length;
    if (this.taken > this.room) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  }
}

describe('library writers pass a failing sink\'s error on, never as an unhandled rejection', () => {
  it('the event table encoders (Arrow, CSV)', async () => {
    const batches: RecordBatch[] = [];
    const b = new EventBatchBuilder((x) => batches.push(x), 256);
    for (let i = 0; i < 2000; i++) b.push(i, 1, 1, Op.read, 4096, 8, 0);
    b.flush();
    for (const make of [(s: ByteSink) => new ArrowEventWriter(s), (s: ByteSink) => new CsvEventWriter(s)]) {
      const w = make(new FullSink(1000));
      let err: unknown;
      try {
        for (const x of batches) await w.write(x);
        await w.finish(new Map());
      } catch (e) {
        err = e;
      }
      await w.abort();
      expect((err as { code?: string } | undefined)?.code).toBe('ENOSPC');
    }
  });

  it('events.arrow: the replay stops at the next batch with the sink\'s error', async () => {
    const w = new EventsArrowWriter(new FullSink(1000), ['p'], 'ns', 3);
    w.policy(0);
    let err: unknown;
    try {
      for (let i = 0; i < 300_000; i++) {
        w.event(i, 1, 0, 'hit', 'ok', i, i + 1, 0);
        if (i % 65536 === 65535) await w.flush();
      }
      await w.finish();
    } catch (e) {
      err = e;
    }
    await w.abort();
    expect((err as { code?: string } | undefined)?.code).toBe('ENOSPC');
  });

  it('the timeline: the recording stops with the sink\'s error', async () => {
    const rec = new ChromeTraceRecorder(new FullSink(100), { cpuGhz: 3, chunkBytes: 64 });
    let err: unknown;
    try {
      rec.policy(0, 'p');
      for (let i = 0; i < 1000; i++) rec.instant(1, 'x', i);
      await rec.finish();
    } catch (e) {
      err = e;
    }
    expect((err as { code?: string } | undefined)?.code).toBe('ENOSPC');
  });
});
