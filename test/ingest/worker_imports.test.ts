/**
 * Parsing workers must not load apache-arrow (about 130 ms of CPU and 20 MiB for each worker):
 * walk the static imports of each worker module through src/ and check that none reaches it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Bare package names reachable from `file` through static (non-type) imports. */
function packagesReachable(file: string, seen = new Set<string>(), out = new Set<string>()): Set<string> {
  if (seen.has(file)) return out;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)';/gms)) {
    const spec = m[1]!;
    if (spec.startsWith('.')) packagesReachable(join(dirname(file), spec.replace(/\.js$/, '.ts')), seen, out);
    else out.add(spec);
  }
  return out;
}

describe('parsing workers', () => {
  for (const worker of ['ingest/csv_worker.ts', 'ingest/trace_worker.ts']) {
    it(`${worker} does not import apache-arrow`, () => {
      const pkgs = packagesReachable(join(SRC, worker));
      expect(pkgs.size).toBeGreaterThan(0);
      expect([...pkgs]).not.toContain('apache-arrow');
    });
  }

  it('the walk does see apache-arrow where it is imported', () => {
    expect([...packagesReachable(join(SRC, 'ingest/batch.ts'))]).toContain('apache-arrow');
  });
});
