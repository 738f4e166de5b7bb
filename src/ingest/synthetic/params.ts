/**
 * Typed, documented scenario parameters and their validation. A scenario declares its parameters
 * as a record of specs (`intParam`, `enumParam`); `ParamValues` gives the typed values its
 * generator receives; `resolveParams` turns the CLI's `--set key=value` strings into those values
 * or an InputError that quotes the input and names the valid keys (exit 2).
 *
 * Integers only (counts, nanoseconds, percents, MiB), parsed from text without floating point.
 */
import { BAD, parseDec } from '../numbers.js';
import { InputError } from '../../util/errors.js';

/** Default `max` of an int parameter; shown as unbounded in listings. */
export const UNBOUNDED = 1e12;

/** An integer parameter in [min, max]. */
export interface IntParamSpec {
  readonly kind: 'int';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** Unit shown in listings: `ns`, `pages`, `MiB`, `%` ... */
  readonly unit?: string;
  readonly doc: string;
}

/** A parameter taking one of a fixed set of names. */
export interface EnumParamSpec<C extends string = string> {
  readonly kind: 'enum';
  readonly choices: readonly C[];
  readonly default: C;
  readonly doc: string;
}

export type ParamSpec = IntParamSpec | EnumParamSpec;
export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/**
 * The typed values of a spec record: numbers for ints, the choice union for enums (and
 * `string | number` for a spec of unknown kind, so every scenario fits the registry's type).
 */
export type ParamValues<S extends ParamSpecs> = {
  -readonly [K in keyof S]: S[K] extends EnumParamSpec<infer C> ? C : S[K] extends IntParamSpec ? number : string | number;
};

/** An integer parameter. */
export function intParam(def: number, doc: string, opts: { min?: number; max?: number; unit?: string } = {}): IntParamSpec {
  const spec: IntParamSpec = { kind: 'int', default: def, min: opts.min ?? 0, max: opts.max ?? UNBOUNDED, unit: opts.unit, doc };
  if (!Number.isInteger(def) || def < spec.min || def > spec.max) throw new Error(`intParam: default ${def} outside [${spec.min}, ${spec.max}]`);
  return spec;
}

/** A parameter choosing one of `choices`. */
export function enumParam<const C extends string>(choices: readonly C[], def: NoInfer<C>, doc: string): EnumParamSpec<C> {
  return { kind: 'enum', choices, default: def, doc };
}

/** The default values of a spec record. */
export function defaultParams<S extends ParamSpecs>(specs: S): ParamValues<S> {
  const out: Record<string, string | number> = {};
  for (const [k, spec] of Object.entries(specs)) out[k] = spec.default;
  return out as ParamValues<S>;
}

/** The allowed values of one parameter, as a listing prints them. */
export function describeDomain(spec: ParamSpec): string {
  if (spec.kind === 'enum') return spec.choices.join(' | ');
  const unit = spec.unit ? ` ${spec.unit}` : '';
  // Time parameters are bounded only to stay far below 2^53 when summed; show them as open.
  return spec.max >= UNBOUNDED ? `>=${spec.min}${unit}` : `${spec.min}..${spec.max}${unit}`;
}

/** Parse one value for `spec`; an error message (without the key) when it is not valid. */
export function parseParamValue(spec: ParamSpec, text: string): string | number | { error: string } {
  if (spec.kind === 'enum') {
    return (spec.choices as readonly string[]).includes(text) ? text : { error: `expected one of ${spec.choices.join(', ')}` };
  }
  const v = parseDec(text);
  if (v === BAD) return { error: `expected a non-negative integer in ${describeDomain(spec)} (no sign, decimals or exponent)` };
  if (v < 0 || v < spec.min || v > spec.max) return { error: `expected an integer in ${describeDomain(spec)}` };
  return v;
}

/** Where a value came from, for messages: `--set` or `--threads`. */
type Origin = { flag: string; text: string };

/**
 * Apply `--set key=value` strings (and `--threads N` for the scenario's thread-count parameter)
 * over the defaults. Throws one InputError listing every problem, each naming the valid keys.
 */
export function resolveParams<S extends ParamSpecs>(
  scenario: string,
  specs: S,
  sets: readonly string[],
  threads?: { key: string | undefined; text: string },
): ParamValues<S> {
  const values: Record<string, string | number> = { ...defaultParams(specs) };
  const keys = Object.keys(specs);
  const validKeys = `valid keys of ${scenario}: ${keys.join(', ')} (see 'mmreplay list scenarios')`;
  const issues: { text: string; expected: string }[] = [];
  const seen = new Map<string, Origin>();

  const apply = (key: string, valueText: string, origin: Origin): void => {
    const spec = specs[key];
    if (spec === undefined) {
      issues.push({ text: origin.text, expected: `unknown parameter ${JSON.stringify(key)}; ${validKeys}` });
      return;
    }
    const prev = seen.get(key);
    if (prev !== undefined) {
      issues.push({ text: origin.text, expected: `${key} is already set by ${prev.flag} ${JSON.stringify(prev.text)}; give it once` });
      return;
    }
    seen.set(key, origin);
    const v = parseParamValue(spec, valueText);
    if (typeof v === 'object') issues.push({ text: origin.text, expected: `bad value for ${key}: ${v.error}; ${validKeys}` });
    else values[key] = v;
  };

  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) {
      issues.push({ text: s, expected: `--set takes key=value; ${validKeys}` });
      continue;
    }
    apply(s.slice(0, eq), s.slice(eq + 1), { flag: '--set', text: s });
  }
  if (threads !== undefined) {
    if (threads.key === undefined) {
      issues.push({ text: threads.text, expected: `scenario ${scenario} has no thread-count parameter; drop --threads (${validKeys})` });
    } else {
      apply(threads.key, threads.text, { flag: '--threads', text: threads.text });
    }
  }
  if (issues.length > 0) {
    throw new InputError(issues.map((i) => ({ code: 'bad-param', stage: 'generate', text: i.text, expected: i.expected })));
  }
  return values as ParamValues<S>;
}
