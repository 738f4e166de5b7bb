/**
 * The bench runner: `npm run bench [-- --only NAME[,NAME]] [--rows N]`.
 *
 * A section is a module `bench/<name>.ts` exporting `section: BenchSection`; the runner finds
 * every such module next to itself, so adding a section is adding a file. Each section returns
 * lines; a line is a measured value, the in-run baseline it is compared against (measured in the
 * same run, never a number from another machine), their ratio, and a target with PASS or MISS.
 * Benchmarks never fail the process on a MISS: they report.
 */
import { readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What a line is held against: the ratio to its baseline, or the value itself. */
export interface BenchTarget {
  /** `ratio` compares value/baseline; `value` compares the value. */
  of: 'ratio' | 'value';
  /** `>=` or `<=` this threshold passes. */
  op: '>=' | '<=';
  threshold: number;
}

/** One measured figure. */
export interface BenchLine {
  name: string;
  value: number;
  unit: string;
  /** The figure measured in this run that `value` is compared against. */
  baseline?: { name: string; value: number };
  target?: BenchTarget;
  /** Free text, e.g. why a measurement could not be made. */
  note?: string;
}

/** Settings a section may use. */
export interface BenchContext {
  /** Rows of generated input (default 10 million). */
  rows: number;
  /** Print a progress line (stderr). */
  log: (text: string) => void;
}

/** A bench section: `bench/<name>.ts` exports one as `section`. */
export interface BenchSection {
  name: string;
  run(ctx: BenchContext): Promise<BenchLine[]>;
}

/** PASS or MISS; '-' without a target; 'N/A' when nothing could be measured (see the note). */
export function verdict(line: BenchLine): string {
  const t = line.target;
  if (t === undefined) return '-';
  if (!Number.isFinite(line.value)) return 'N/A';
  const x = t.of === 'ratio' ? line.value / (line.baseline?.value ?? NaN) : line.value;
  return (t.op === '>=' ? x >= t.threshold : x <= t.threshold) ? 'PASS' : 'MISS';
}

const fmt = (v: number): string =>
  !Number.isFinite(v) ? 'n/a' : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3);

/** One printed line: name, value, baseline, ratio, target, verdict. */
export function formatLine(section: string, l: BenchLine): string {
  const base = l.baseline ? `vs ${l.baseline.name} ${fmt(l.baseline.value)} ${l.unit}` : 'no baseline';
  const ratio = l.baseline ? `ratio ${(l.value / l.baseline.value).toFixed(2)}` : '';
  const target = l.target ? `target ${l.target.of === 'ratio' ? 'ratio ' : ''}${l.target.op} ${fmt(l.target.threshold)}` : '';
  const cols = [`[${section}] ${l.name}`.padEnd(44), `${fmt(l.value)} ${l.unit}`.padEnd(22), base.padEnd(44), ratio.padEnd(12), target.padEnd(22), verdict(l)];
  return cols.join(' ') + (l.note ? `  (${l.note})` : '');
}

/** Every section module next to this file. */
async function findSections(): Promise<BenchSection[]> {
  const here = dirname(fileURLToPath(import.meta.url));
  const out: BenchSection[] = [];
  for (const f of readdirSync(here).filter((n) => n.endsWith('.js') && n !== 'run.js').sort()) {
    const mod = (await import(pathToFileURL(join(here, f)).href)) as { section?: BenchSection };
    if (mod.section !== undefined) out.push(mod.section);
  }
  return out;
}

function parseArgs(argv: string[]): { only?: string[]; rows: number } {
  let only: string[] | undefined;
  let rows = 10_000_000;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') only = (argv[++i] ?? '').split(',');
    else if (argv[i] === '--rows') rows = Number(argv[++i]);
    else throw new Error(`unknown bench argument ${argv[i]}; use --only NAME[,NAME] and --rows N`);
  }
  if (!(Number.isInteger(rows) && rows > 0)) throw new Error('--rows: a positive integer');
  return { only, rows };
}

async function main(): Promise<void> {
  const { only, rows } = parseArgs(process.argv.slice(2));
  const sections = (await findSections()).filter((s) => only === undefined || only.includes(s.name));
  if (sections.length === 0) throw new Error(`no bench section named ${only?.join(',')}`);
  const ctx: BenchContext = { rows, log: (t) => process.stderr.write(`bench: ${t}\n`) };
  // Other work on the machine slows measurements down: say how busy it was.
  const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`# node ${process.version}, ${availableParallelism()} cores, load average (1/5/15 min) at start: ${load()}`);
  for (const s of sections) {
    ctx.log(`section ${s.name}`);
    for (const line of await s.run(ctx)) console.log(formatLine(s.name, line));
  }
  console.log(`# load average at end: ${load()}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
