/**
 * The shape of a synthetic scenario and the functions that run one. A scenario is library code:
 * it spawns emulated threads on a Timeline and never touches the filesystem or the console; the
 * CLI (`mmreplay generate`) feeds the rows to a writer.
 */
import { InputError } from '../../util/errors.js';
import { Timeline, type EventOut, type TimelineSummary } from './timeline.js';
import { resolveParams, type ParamSpecs, type ParamValues } from './params.js';

/** A workload generator that mirrors a kernel reproducer or benchmark. */
export interface Scenario<S extends ParamSpecs = ParamSpecs> {
  /** CLI name, e.g. `migration-selftest`. */
  readonly name: string;
  /** One line for `mmreplay list scenarios`. */
  readonly summary: string;
  /** The kernel reproducer, selftest or benchmark it mirrors, with its source. */
  readonly reference: string;
  readonly params: S;
  /** The parameter `--threads N` sets, if the scenario has a thread count. */
  readonly threadsParam?: keyof S & string;
  /** Cross-parameter checks; a message saying what to change, or undefined when fine. */
  check?(p: ParamValues<S>): string | undefined;
  /** Spawn the scenario's processes and threads on `tl`. */
  build(tl: Timeline, p: ParamValues<S>): void;
}

/** Resolved parameter values with their types erased (what the registry and the CLI pass around). */
export type AnyParams = Readonly<Record<string, string | number>>;

/**
 * A scenario with its parameter types erased, as the registry holds it. Every `Scenario<S>` is
 * one (its typed `build` and `check` receive values validated against its own specs).
 */
export interface AnyScenario {
  readonly name: string;
  readonly summary: string;
  readonly reference: string;
  readonly params: ParamSpecs;
  readonly threadsParam?: string;
  check?(p: AnyParams): string | undefined;
  build(tl: Timeline, p: AnyParams): void;
}

/** Identity helper that keeps a scenario's parameter types precise. */
export function defineScenario<S extends ParamSpecs>(s: Scenario<S>): Scenario<S> {
  return s;
}

/**
 * Validate user settings for `scenario`: `--set key=value` strings and an optional `--threads`
 * value (text). Throws InputError naming the valid keys.
 */
export function scenarioParams(scenario: AnyScenario, sets: readonly string[], threadsText?: string): AnyParams {
  const threads = threadsText === undefined ? undefined : { key: scenario.threadsParam, text: threadsText };
  const p = resolveParams(scenario.name, scenario.params, sets, threads);
  const problem = scenario.check?.(p);
  if (problem !== undefined) {
    throw new InputError({ code: 'bad-param', stage: 'generate', text: sets.join(' '), expected: `${scenario.name}: ${problem}` });
  }
  return p;
}

/**
 * Start a scenario on a fresh timeline writing to `out`; call `advance(n)` on the result until it
 * returns false (the CLI writes batches between slices).
 */
export function startScenario(scenario: AnyScenario, p: AnyParams, seed: number, out: EventOut): Timeline {
  const tl = new Timeline(out, seed);
  scenario.build(tl, p);
  return tl;
}

/** Run a scenario to the end into `out`. */
export function generateScenario(scenario: AnyScenario, p: AnyParams, seed: number, out: EventOut): TimelineSummary {
  const tl = startScenario(scenario, p, seed, out);
  tl.advance();
  return tl.summary();
}
