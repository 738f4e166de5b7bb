import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS, SYNTHETIC_META } from '../../src/ingest/synthetic/index.js';
import { META } from '../../src/ingest/schema.js';
import { runCaptured } from '../helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmreplay-generate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Small settings so each CLI run takes milliseconds. */
const SMALL: Record<string, string[]> = {
  'migration-selftest': ['iterations=100', 'map_pages=8'],
  'gup-after-fork': ['rounds=50'],
  'swapin-race': ['rounds=5'],
  'zram-swapin': ['size_mib=1'],
  'mmap-vs-file-reads': ['reads=100', 'loops=100', 'file_mib=1'],
  pft: ['pages=32'],
  'vma-adjust-race': ['rounds=100', 'children=3'],
  mixed: ['duration_ms=2'],
};
const setArgs = (name: string): string[] => (SMALL[name] ?? []).flatMap((s) => ['--set', s]);

async function generate(name: string, out: string, extra: string[] = []): Promise<Buffer> {
  const run = await runCaptured(['generate', name, ...setArgs(name), ...extra, '-o', out], dir);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return readFileSync(join(dir, out));
}

describe('mmreplay generate', () => {
  for (const s of SCENARIOS) {
    it(`${s.name}: same bytes for the same seed, different bytes for another`, async () => {
      const a = await generate(s.name, `${s.name}-a.csv`, ['--seed', '11']);
      const b = await generate(s.name, `${s.name}-b.csv`, ['--seed', '11']);
      const c = await generate(s.name, `${s.name}-c.csv`, ['--seed', '12']);
      expect(a.toString('utf8').startsWith('ts,pid,tid,op,addr,len,arg\n')).toBe(true);
      expect(a.equals(b)).toBe(true);
      expect(a.equals(c)).toBe(false);
    });
  }

  it('writes Arrow IPC with the synthetic metadata, byte-identical for a seed', async () => {
    const a = await generate('migration-selftest', 'm1.arrow', ['--seed', '3']);
    const b = await generate('migration-selftest', 'm2.arrow', ['--seed', '3']);
    expect(a.equals(b)).toBe(true);
    const table = tableFromIPC(a);
    const csv = (await generate('migration-selftest', 'm.csv', ['--seed', '3'])).toString('utf8');
    expect(table.numRows).toBe(csv.trimEnd().split('\n').length - 1);
    const meta = table.schema.metadata;
    expect(meta.get(META.sourceFormat)).toBe('synthetic');
    expect(meta.get(SYNTHETIC_META.scenario)).toBe('migration-selftest');
    expect(meta.get(SYNTHETIC_META.seed)).toBe('3');
    expect(JSON.parse(meta.get(SYNTHETIC_META.params)!)).toMatchObject({ mode: 'private_anon', iterations: 100, map_pages: 8, readers: 3 });
    expect(JSON.parse(meta.get(META.counters)!)).toEqual({ events_written: table.numRows });
    expect(table.getChild('op')!.get(0)).toBe('mmap');
  });

  it('records a canonical command that regenerates the same bytes', async () => {
    const first = tableFromIPC(await generate('swapin-race', 's1.arrow', ['--seed', '9', '--threads', '2']));
    const command = first.schema.metadata.get(SYNTHETIC_META.command)!;
    expect(command).toMatch(/^mmreplay generate swapin-race --seed 9 --set threads=2 /);
    const argv = command.replace(/^mmreplay /, '').split(' ');
    const again = await runCaptured([...argv, '-o', 's2.arrow'], dir);
    expect(again.code).toBe(0);
    expect(readFileSync(join(dir, 's2.arrow')).equals(readFileSync(join(dir, 's1.arrow')))).toBe(true);
  });

  it('--threads sets the scenario thread-count parameter', async () => {
    const run = await runCaptured(['generate', 'migration-selftest', '--threads', '5', '--set', 'iterations=10', '--set', 'map_pages=2', '-o', 't.csv'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/t\.csv: \d+ events, 1 process, 6 threads/);
  });

  it('prints a one-line summary on stdout', async () => {
    const run = await runCaptured(['generate', 'pft', '--set', 'pages=4', '--set', 'threads=2', '--set', 'mapping=per-thread', '-o', 'p.csv'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('p.csv: 14 events, 1 process, 2 threads, 0.006 ms of trace (pft, seed 1)\n');
  });

  it('writes a CSV that mmreplay ingest accepts as is', async () => {
    await generate('mixed', 'mixed.csv');
    const run = await runCaptured(['ingest', 'mixed.csv', '-o', 'mixed-ingested.arrow'], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});

describe('mmreplay generate: bad input exits 2 and names what is valid', () => {
  const bad = async (argv: string[]): Promise<string> => {
    const before = new Set(readdirSync(dir));
    const run = await runCaptured([...argv, '-o', 'bad.csv'], dir);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(existsSync(join(dir, 'bad.csv'))).toBe(false);
    // No temporary file is left behind either.
    expect(readdirSync(dir).filter((f) => !before.has(f))).toEqual([]);
    return run.stderr;
  };
  const keys = 'valid keys of migration-selftest: mode, readers, iterations, map_pages, migrate_gap_ns, read_gap_ns';

  it('an unknown --set key', async () => {
    const err = await bad(['generate', 'migration-selftest', '--set', 'nodes=3']);
    expect(err).toContain('"nodes=3": unknown parameter "nodes"');
    expect(err).toContain(keys);
  });

  it.each([
    ['mode=private', /bad value for mode: expected one of private_anon, shared_anon/],
    ['readers=1.5', /bad value for readers: expected a non-negative integer/],
    ['readers=0', /bad value for readers: expected an integer in 1\.\.4096/],
    ['iterations=-5', /bad value for iterations/],
    ['readers', /--set takes key=value/],
  ])('a bad --set value: %s', async (set, why) => {
    const err = await bad(['generate', 'migration-selftest', '--set', set]);
    expect(err).toMatch(why);
    expect(err).toContain(keys);
  });

  it('every problem at once, each on its own line', async () => {
    const err = await bad(['generate', 'migration-selftest', '--set', 'nodes=3', '--set', 'mode=x']);
    expect(err.trim().split('\n')).toHaveLength(2);
  });

  it('--threads with --set of the same parameter, or a bad --threads', async () => {
    expect(await bad(['generate', 'pft', '--threads', '4', '--set', 'threads=2'])).toMatch(/threads is already set by --set "threads=2"/);
    expect(await bad(['generate', 'pft', '--threads', 'many'])).toMatch(/bad value for threads/);
  });

  it('an unknown scenario names the valid ones', async () => {
    const err = await bad(['generate', 'migrate']);
    expect(err).toContain('"migrate": unknown scenario; valid scenarios: migration-selftest, gup-after-fork');
  });

  it('a bad seed', async () => {
    expect(await bad(['generate', 'pft', '--seed', '1.5'])).toMatch(/--seed takes a non-negative decimal integer/);
    expect(await bad(['generate', 'pft', '--seed', '9007199254740992'])).toMatch(/--seed must be below 2\^53/);
  });

  it('parameters that contradict each other', async () => {
    expect(await bad(['generate', 'gup-after-fork', '--set', 'pages=2', '--set', 'writers=3'])).toMatch(/pages \(2\) must be at least writers \(3\)/);
  });

  it('a missing output directory', async () => {
    const run = await runCaptured(['generate', 'pft', '-o', 'no/such/dir/x.csv'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/existing directory/);
  });
});

describe('mmreplay list scenarios', () => {
  it('prints every scenario with its summary, source and parameters with defaults', async () => {
    const run = await runCaptured(['list', 'scenarios'], dir);
    expect(run.code).toBe(0);
    for (const s of SCENARIOS) {
      expect(run.stdout).toContain(`${s.name}: ${s.summary}`);
      expect(run.stdout).toContain(`mirrors: ${s.reference}`);
      for (const [k, spec] of Object.entries(s.params)) expect(run.stdout).toMatch(new RegExp(`\\n  ${k} +${String(spec.default)} `));
    }
    expect(run.stdout).toContain('--threads N sets readers');
  });

  it('--json gives the same facts in machine-readable form', async () => {
    const run = await runCaptured(['list', 'scenarios', '--json'], dir);
    expect(run.code).toBe(0);
    const list = JSON.parse(run.stdout) as { name: string; threadsParam: string | null; params: { key: string; default: unknown; choices: string[] | null }[] }[];
    expect(list.map((s) => s.name)).toEqual(SCENARIOS.map((s) => s.name));
    const mig = list.find((s) => s.name === 'migration-selftest')!;
    expect(mig.threadsParam).toBe('readers');
    expect(mig.params.find((p) => p.key === 'mode')).toMatchObject({ default: 'private_anon', choices: ['private_anon', 'shared_anon'] });
    expect(mig.params.find((p) => p.key === 'iterations')).toMatchObject({ default: 1000, choices: null });
  });

  it('an unknown topic exits 2 naming the available topics', async () => {
    const run = await runCaptured(['list', 'nonsense'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"nonsense": unknown topic; available: scenarios');
  });
});

/**
 * Golden check of traces/<scenario>.csv: every `mmreplay generate ... -o traces/X.csv` command in
 * traces/SCENARIOS.md, run into the temporary directory, reproduces the committed file byte for byte.
 */
describe('traces/<scenario>.csv', () => {
  const root = join(import.meta.dirname, '..', '..');
  const doc = readFileSync(join(root, 'traces', 'SCENARIOS.md'), 'utf8');
  const commands = [...doc.matchAll(/^mmreplay (generate .* -o traces\/([\w-]+)\.csv)$/gm)].map((m) => ({ argv: m[1]!, name: m[2]! }));

  it('SCENARIOS.md has one command per scenario', () => {
    expect(commands.map((c) => c.name).sort()).toEqual(SCENARIOS.map((s) => s.name).sort());
  });

  for (const { argv, name } of commands) {
    it(`${name}.csv matches its command and stays under 1 MB`, async () => {
      const args = argv.split(' ');
      args[args.length - 1] = `golden-${name}.csv`;
      const run = await runCaptured(args, dir);
      expect(run.code).toBe(0);
      const committed = join(root, 'traces', `${name}.csv`);
      expect(statSync(committed).size).toBeLessThan(1 << 20);
      expect(readFileSync(join(dir, `golden-${name}.csv`)).equals(readFileSync(committed))).toBe(true);
    });
  }
});
