/**
 * Kernel-release presets (docs/design.md section 3) and `--policy` parsing. A preset names one variant
 * per axis as the history reads at that release's .0 tag; docs/policies.md holds the evidence.
 * `--policy` takes a preset, `axis=variant` pairs, or a preset plus overrides, joined by `+` or
 * `,`. The canonical label is the preset, then `+axis=variant` for each override that differs from
 * it, in axis order: it never contains a comma.
 */
import { InputError } from '../../util/errors.js';
import { AXES, AXIS_NAMES, findVariant, type AxisName } from './axes.js';
import type { Policy } from './types.js';
import { ERAS } from './eras.js';

type PresetRow = { readonly [A in AxisName]: string };

/** Presets, oldest first: fault_lock, file_fault_lock, migration_wait, wp_reuse, gup_cow, fork_cow, swapin, rmap_lock. */
export const PRESETS: Readonly<Record<string, PresetRow>> = {
  'linux-2.6.34-rc': row('mmap-noretry', 'mmap', 'pageref-hold', 'mapcount', 'none', 'share', 'swapcache', 'none'),
  'linux-5.8': row('mmap', 'mmap', 'pageref-put', 'mapcount', 'break', 'share', 'skip', 'anon-vma-root'),
  'linux-5.10': row('mmap', 'mmap', 'pageref-put', 'refcount', 'none', 'early-cow', 'skip', 'anon-vma-root'),
  'linux-6.1': row('mmap', 'mmap', 'ptl', 'anon-exclusive', 'unshare', 'early-cow', 'skip', 'anon-vma-root'),
  'linux-6.4': row('vma-swap-fallback', 'mmap', 'ptl', 'anon-exclusive', 'unshare', 'early-cow', 'skip', 'anon-vma-root'),
  'linux-6.6': row('vma-retry', 'vma-fallback', 'ptl', 'anon-exclusive', 'unshare', 'early-cow', 'skip', 'anon-vma-root'),
  'linux-6.8': row('vma-retry', 'vma', 'ptl', 'anon-exclusive', 'unshare', 'early-cow', 'skip-prepare-tick', 'anon-vma-root'),
  'linux-6.12': row('vma-retry', 'vma', 'ptl', 'anon-exclusive', 'unshare', 'early-cow', 'skip-prepare-wq', 'anon-vma-root'),
};

function row(...v: string[]): PresetRow {
  return Object.fromEntries(AXIS_NAMES.map((a, i) => [a, v[i]!])) as unknown as PresetRow;
}

/** Preset names, oldest first. */
export const PRESET_NAMES = Object.keys(PRESETS);
/** The newest preset: the default `--base` and the default policy. */
export const NEWEST_PRESET = PRESET_NAMES[PRESET_NAMES.length - 1]!;

/** Build a Policy from a preset and overrides (already validated). */
function build(preset: string, overrides: Partial<Record<AxisName, string>>): Policy {
  const base = PRESETS[preset]!;
  const parts: string[] = [preset];
  const chosen: Record<string, unknown> = {};
  for (const a of AXIS_NAMES) {
    const name = overrides[a] ?? base[a];
    if (overrides[a] !== undefined && overrides[a] !== base[a]) parts.push(`${a}=${name}`);
    chosen[a] = findVariant(a, name);
  }
  return { label: parts.join('+'), preset, era: ERAS[preset]!, ...chosen } as unknown as Policy;
}

function bad(text: string, expected: string): InputError {
  return new InputError({ code: 'bad-policy', stage: 'policy', text, expected });
}

/** Parse one `--policy` value; pairs without a preset apply to `base`. */
export function parsePolicy(spec: string, base = NEWEST_PRESET): Policy {
  if (!(base in PRESETS)) throw bad(base, `a preset for --base: ${PRESET_NAMES.join(', ')}`);
  const tokens = spec.split(/[+,]/).map((t) => t.trim()).filter((t) => t.length > 0);
  if (tokens.length === 0) throw bad(spec, `a preset (${PRESET_NAMES.join(', ')}) and/or axis=variant pairs`);
  let preset: string | undefined;
  const overrides: Partial<Record<AxisName, string>> = {};
  for (const tok of tokens) {
    const eq = tok.indexOf('=');
    if (eq < 0) {
      if (!(tok in PRESETS)) throw bad(tok, `a preset name: ${PRESET_NAMES.join(', ')}`);
      if (preset !== undefined) throw bad(spec, 'at most one preset per policy');
      preset = tok;
      continue;
    }
    const axis = tok.slice(0, eq) as AxisName;
    const variant = tok.slice(eq + 1);
    if (!AXIS_NAMES.includes(axis)) throw bad(tok, `an axis: ${AXIS_NAMES.join(', ')}`);
    if (findVariant(axis, variant) === undefined) {
      throw bad(tok, `a variant of ${axis}: ${AXES[axis].map((v) => v.name).join(', ')}`);
    }
    if (overrides[axis] !== undefined && overrides[axis] !== variant) throw bad(spec, `one variant per axis (${axis} given twice)`);
    overrides[axis] = variant;
  }
  return build(preset ?? base, overrides);
}

/** Every variant of one axis on the base preset (`--axis`). */
export function axisPolicies(axis: string, base = NEWEST_PRESET): Policy[] {
  if (!AXIS_NAMES.includes(axis as AxisName)) throw bad(axis, `an axis: ${AXIS_NAMES.join(', ')}`);
  return AXES[axis as AxisName].map((v) => parsePolicy(`${axis}=${v.name}`, base));
}

/** The variant names of a policy, by axis (for meta.json and reports). */
export function policyVariants(p: Policy): Record<string, string> {
  return Object.fromEntries(AXIS_NAMES.map((a) => [a, p[a].name]));
}
