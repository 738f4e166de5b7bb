/**
 * The registry of synthetic scenarios (`mmreplay generate`, `mmreplay list scenarios`). Adding a
 * scenario: write `src/ingest/synthetic/<name>.ts` exporting a `defineScenario({...})`, add it to
 * SCENARIOS below, document it in docs/scenarios.md.
 */
import { InputError } from '../../util/errors.js';
import { FORMAT_VERSION, META } from '../schema.js';
import { describeDomain } from './params.js';
import type { AnyParams, AnyScenario } from './scenario.js';
import { gupAfterFork } from './gup_after_fork.js';
import { migrationSelftest } from './migration_selftest.js';
import { mixed } from './mixed.js';
import { mmapVsFileReads } from './mmap_vs_file_reads.js';
import { pft } from './pft.js';
import { swapinRace } from './swapin_race.js';
import { vmaAdjustRace } from './vma_adjust_race.js';
import { zramSwapin } from './zram_swapin.js';

export { generateScenario, scenarioParams, startScenario, type AnyParams, type AnyScenario, type Scenario } from './scenario.js';
export type { ParamValues, ParamSpecs } from './params.js';
export type { EventOut, TimelineSummary } from './timeline.js';

/** Every scenario, in the order `list scenarios` prints them. */
export const SCENARIOS: readonly AnyScenario[] = [
  migrationSelftest,
  gupAfterFork,
  swapinRace,
  zramSwapin,
  mmapVsFileReads,
  pft,
  vmaAdjustRace,
  mixed,
];

/** The scenario called `name`; InputError naming the valid scenarios otherwise. */
export function findScenario(name: string): AnyScenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (s === undefined) {
    throw new InputError({
      code: 'unknown-scenario',
      stage: 'generate',
      text: name,
      expected: `unknown scenario; valid scenarios: ${SCENARIOS.map((x) => x.name).join(', ')} (see 'mmreplay list scenarios')`,
    });
  }
  return s;
}

/** Extra schema metadata keys written by `generate` (beside META's). */
export const SYNTHETIC_META = {
  scenario: 'synthetic.scenario',
  seed: 'synthetic.seed',
  /** JSON object of every parameter's resolved value. */
  params: 'synthetic.params',
  /** The canonical command line that regenerates the trace byte for byte. */
  command: 'synthetic.command',
} as const;

/** `mmreplay generate NAME --seed S --set k=v ...` with every parameter spelled out. */
export function canonicalCommand(scenario: AnyScenario, params: AnyParams, seed: number): string {
  const sets = Object.keys(scenario.params).map((k) => `--set ${k}=${params[k]}`);
  return ['mmreplay generate', scenario.name, `--seed ${seed}`, ...sets].join(' ');
}

/** Schema metadata of a generated trace (no times or paths, so the bytes depend on the inputs only). */
export function syntheticMetadata(
  scenario: AnyScenario,
  params: AnyParams,
  seed: number,
  rows: number,
): Map<string, string> {
  const ordered: Record<string, string | number> = {};
  for (const k of Object.keys(scenario.params)) ordered[k] = params[k]!;
  return new Map([
    [META.formatVersion, FORMAT_VERSION],
    [META.sourceFormat, 'synthetic'],
    [META.sourcePath, `synthetic:${scenario.name}`],
    [META.counters, JSON.stringify({ events_written: rows })],
    [SYNTHETIC_META.scenario, scenario.name],
    [SYNTHETIC_META.seed, String(seed)],
    [SYNTHETIC_META.params, JSON.stringify(ordered)],
    [SYNTHETIC_META.command, canonicalCommand(scenario, params, seed)],
  ]);
}

/** A plain description of one scenario, as `list scenarios --json` prints it. */
export interface ScenarioInfo {
  name: string;
  summary: string;
  reference: string;
  threadsParam: string | null;
  params: { key: string; kind: 'int' | 'enum'; default: string | number; domain: string; unit: string | null; choices: string[] | null; min: number | null; max: number | null; doc: string }[];
}

/** Describe a scenario for listings. */
export function scenarioInfo(s: AnyScenario): ScenarioInfo {
  return {
    name: s.name,
    summary: s.summary,
    reference: s.reference,
    threadsParam: s.threadsParam ?? null,
    params: Object.entries(s.params).map(([key, spec]) => ({
      key,
      kind: spec.kind,
      default: spec.default,
      domain: describeDomain(spec),
      unit: spec.kind === 'int' ? spec.unit ?? null : null,
      choices: spec.kind === 'enum' ? [...spec.choices] : null,
      min: spec.kind === 'int' ? spec.min : null,
      max: spec.kind === 'int' ? spec.max : null,
      doc: spec.doc,
    })),
  };
}
