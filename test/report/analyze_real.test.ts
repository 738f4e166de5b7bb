/**
 * Acceptance on the recorded traces in traces/ (see traces/README.md): analyze reports as many
 * mmap_lock write acquisitions as the text has `mmap_lock_acquire_returned ... write=true
 * success=true` events, counted here by a regular expression over the decompressed text, and
 * every acquisition it pairs is released (munmap's mmap_write_downgrade() included).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadEventTable } from '../../src/ingest/load.js';
import { analyzeTrace } from '../../src/report/analyze.js';

const TRACES = ['mtwork.perf.txt.gz', 'mtwork.pid.perf.txt.gz', 'mtwork.ftrace.txt.gz', 'mtwork.trace-cmd.txt.gz'];

describe('analyze on the recorded tracepoint traces', () => {
  for (const name of TRACES) {
    it(`${name}: write acquisitions equal the acquire_returned write=true success=true events`, async () => {
      const url = new URL(`../../traces/${name}`, import.meta.url);
      const text = gunzipSync(readFileSync(url)).toString('utf8');
      const lines = text.split('\n');
      const writes = lines.filter((l) => /mmap_lock_acquire_returned:.*\bwrite=true success=true/.test(l)).length;
      const reads = lines.filter((l) => /mmap_lock_acquire_returned:.*\bwrite=false success=true/.test(l)).length;
      expect(writes).toBeGreaterThan(10);
      const table = await loadEventTable([{ name, chunks: createReadStream(url) }]);
      const a = analyzeTrace(table);
      const w = a.locks.find((r) => r.lock === 'mmap_lock' && r.type === 'rwsem:W');
      const r = a.locks.find((x) => x.lock === 'mmap_lock' && x.type === 'rwsem:R');
      expect(w?.acquisitions).toBe(writes);
      expect(r?.acquisitions).toBe(reads);
      expect(a.counters['mmap_lock.held_at_end'] ?? 0).toBe(0);
      expect(a.counters['mmap_lock.release_without_acquire'] ?? 0).toBe(0);
    });
  }
});
