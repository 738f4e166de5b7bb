/**
 * `mmreplay list policies [--json]`: the kernel-release presets by axis (docs/design.md section 3),
 * then every axis with its variants, oldest first, each with the commit it mirrors and a one-line
 * summary. The evidence behind each preset cell is in docs/policies.md.
 */
import { AXES, AXIS_NAMES, type AxisName } from '../replay/policies/axes.js';
import { NEWEST_PRESET, PRESET_NAMES, PRESETS } from '../replay/policies/presets.js';
import type { VariantInfo } from '../replay/policies/types.js';
import { DEFAULT_COLUMNS, renderFitted } from '../report/fit_table.js';
import { println, type CliIO } from './io.js';
import type { ListTopic } from './common.js';

/** What each axis decides (docs/design.md section 3). */
export const AXIS_DESCRIPTIONS: { readonly [A in AxisName]: string } = {
  fault_lock: 'anonymous and swap faults: which lock, and how a fault waits for a locked folio',
  file_fault_lock: 'file-backed faults under a VMA-lock fault_lock: never VMA-locked, VMA-locked then RETRY, or handled',
  migration_wait: 'what a fault on a migration entry holds while it waits',
  wp_reuse: 'when a write fault may reuse an anonymous page instead of copying',
  gup_cow: 'what GUP does to a COW-shared anonymous page',
  fork_cow: 'whether fork copies maybe-pinned pages for the child',
  swapin: 'swap-in on a synchronous (SWP_SYNCHRONOUS_IO) device',
  rmap_lock: 'what keeps rmap walks and vma_adjust apart',
};

/** One variant in the listing. */
export interface VariantListing {
  name: string;
  commit: string;
  summary: string;
  /** Presets that use this variant, oldest first. */
  presets: string[];
}

/** The whole listing, as `--json` prints it. */
export interface PolicyListing {
  /** The default `--base` and default policy. */
  newest_preset: string;
  axes: string[];
  /** Presets oldest first, each naming one variant per axis. */
  presets: ({ name: string } & Record<AxisName, string>)[];
  variants: { axis: string; describe: string; variants: VariantListing[] }[];
}

/** Build the listing from PRESETS and AXES. */
export function policyListing(): PolicyListing {
  return {
    newest_preset: NEWEST_PRESET,
    axes: [...AXIS_NAMES],
    presets: PRESET_NAMES.map((name) => ({ name, ...PRESETS[name]! })),
    variants: AXIS_NAMES.map((axis) => ({
      axis,
      describe: AXIS_DESCRIPTIONS[axis],
      variants: (AXES[axis] as readonly VariantInfo[]).map((v) => ({
        name: v.name,
        commit: v.commit,
        summary: v.summary,
        presets: PRESET_NAMES.filter((p) => PRESETS[p]![axis] === v.name),
      })),
    })),
  };
}

/** Greedy word wrap of `text` to lines of at most `width` characters. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (cur.length > 0 && cur.length + 1 + word.length > width) {
      lines.push(cur);
      cur = word;
    } else cur = cur.length > 0 ? `${cur} ${word}` : word;
  }
  if (cur.length > 0 || lines.length === 0) lines.push(cur);
  return lines;
}

/** Print the preset table (split to fit 120 columns), then the variants of each axis. */
export function printPolicies(io: CliIO, width: number = DEFAULT_COLUMNS): void {
  const listing = policyListing();
  println(io.stdout, `Presets (one variant per axis, as of each release's .0 tag; evidence: docs/policies.md):`);
  println(
    io.stdout,
    renderFitted(
      {
        head: ['preset', ...listing.axes],
        rows: listing.presets.map((p) => [p.name, ...AXIS_NAMES.map((a) => p[a])]),
        align: ['left', ...AXIS_NAMES.map((): 'left' => 'left')],
        fixed: 1,
      },
      width,
    ),
  );
  println(io.stdout, `Default --base and policy: ${listing.newest_preset}. Compose with --policy PRESET+axis=variant.`);
  const nameW = Math.max(...listing.variants.flatMap((a) => a.variants.map((v) => v.name.length)));
  const indent = ' '.repeat(2 + nameW + 2);
  const textW = Math.max(20, width - indent.length);
  for (const axis of listing.variants) {
    println(io.stdout);
    println(io.stdout, `${axis.axis}: ${axis.describe}`);
    for (const v of axis.variants) {
      const lines = [
        ...wrapWords(v.summary, textW),
        ...wrapWords(`commit: ${v.commit}`, textW),
        ...wrapWords(`presets: ${v.presets.length > 0 ? v.presets.join(', ') : '(none; use axis=variant)'}`, textW),
      ];
      lines.forEach((line, i) => println(io.stdout, i === 0 ? `  ${v.name.padEnd(nameW)}  ${line}` : `${indent}${line}`));
    }
  }
}

/** The `list policies` topic. */
export const POLICIES_TOPIC: ListTopic = {
  describe: 'policy presets by axis, and every axis variant with its kernel commit and summary',
  text: (io) => printPolicies(io),
  json: policyListing,
};
