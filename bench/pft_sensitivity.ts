/**
 * Sensitivity of the pft-threads verdicts (docs/calibration.md, section "pft-threads") to every
 * cost figure: each figure of DEFAULT_COSTS halved and doubled in turn, pft replayed at 1, 4, 48
 * and 128 threads under fault_lock=mmap and the per-VMA lock, and a markdown table of the ratios
 * with whether the emulated verdicts still hold and whether the published signs appear.
 *
 *   npx tsc -p . && node dist/bench/pft_sensitivity.js [--pages N] [--only name,name]
 *
 * Not a bench section (it exports none, so `npm run bench` skips it): a calibration report.
 */
import { fileURLToPath } from 'node:url';
import { DEFAULT_COSTS, type CostName } from '../src/replay/costs.js';
import { pftRatios, PUBLISHED_PFT } from './lib/pft_scaling.js';

const COUNTS = [1, 4, 48, 128] as const;

/** The verdicts test/replay/pft_scaling.test.ts holds the emulation to. */
export function emulatedVerdictsHold(r: Map<number, number>): boolean {
  return r.get(1)! < 0 && r.get(4)! < 0 && Math.abs(r.get(48)!) < 1 && Math.abs(r.get(128)!) < 1;
}

/** The published sign pattern: slower at 4 threads, faster at 48 and 128. */
export function publishedSignsHold(r: Map<number, number>): boolean {
  return r.get(4)! < 0 && r.get(48)! > 0 && r.get(128)! > 0;
}

const pct = (r: Map<number, number>): string => COUNTS.map((n) => `${r.get(n)! >= 0 ? '+' : ''}${r.get(n)!.toFixed(1)}`).join(' / ');

function parseArgs(argv: string[]): { pages: number; only: CostName[] | null } {
  let pages = 512;
  let only: CostName[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--pages') pages = Number(argv[++i]);
    else if (argv[i] === '--only') only = (argv[++i] ?? '').split(',') as CostName[];
    else throw new Error(`unknown argument ${argv[i]}; use --pages N and --only name[,name]`);
  }
  if (!(Number.isInteger(pages) && pages > 0)) throw new Error('--pages: a positive integer');
  for (const n of only ?? []) if (!(n in DEFAULT_COSTS)) throw new Error(`--only: no cost figure named ${n}`);
  return { pages, only };
}

function main(): void {
  const { pages, only } = parseArgs(process.argv.slice(2));
  const names = only ?? (Object.keys(DEFAULT_COSTS) as CostName[]);
  const base = pftRatios(COUNTS, pages);
  const published = COUNTS.map((n) => `${PUBLISHED_PFT[n]! >= 0 ? '+' : ''}${PUBLISHED_PFT[n]}`).join(' / ');
  console.log(`pft-threads, ${pages} pages per thread; per-VMA lock faults/s vs mmap_lock, % at ${COUNTS.join(' / ')} threads`);
  console.log(`published: ${published}; defaults: ${pct(base)}\n`);
  console.log('| figure | default ns | x0.5 | x2 | emulated verdicts hold | published signs |');
  console.log('|---|---|---|---|---|---|');
  const fragile: string[] = [];
  for (const name of names) {
    const ns = DEFAULT_COSTS[name].ns;
    if (ns === 0) {
      console.log(`| ${name} | 0 | - | - | (computed, not scaled) | - |`);
      continue;
    }
    const half = pftRatios(COUNTS, pages, { [name]: ns / 2 });
    const double = pftRatios(COUNTS, pages, { [name]: ns * 2 });
    const hold = emulatedVerdictsHold(half) && emulatedVerdictsHold(double);
    if (!hold) fragile.push(name);
    const signs = [publishedSignsHold(half) ? 'x0.5' : '', publishedSignsHold(double) ? 'x2' : ''].filter((s) => s !== '').join(', ') || 'no';
    console.log(`| ${name} | ${ns} | ${pct(half)} | ${pct(double)} | ${hold ? 'yes' : 'NO'} | ${signs} |`);
  }
  console.log(`\nfragile figures (a verdict changes at x0.5 or x2): ${fragile.length === 0 ? 'none' : fragile.join(', ')}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main();
  } catch (err: unknown) {
    console.error(`pft_sensitivity: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
