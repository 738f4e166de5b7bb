import { describe, expect, it } from 'vitest';
import { DEFAULT_COSTS } from '../../src/replay/costs.js';
import { AXES, AXIS_NAMES } from '../../src/replay/policies/axes.js';
import { NEWEST_PRESET, PRESET_NAMES, PRESETS } from '../../src/replay/policies/presets.js';
import type { VariantInfo } from '../../src/replay/policies/types.js';
import { runCaptured } from '../helpers/cli.js';

const list = (...args: string[]) => runCaptured(['list', ...args], process.cwd());

/** Cells of a cli-table3 row line (`│ a │ b │`), trimmed. */
const rowCells = (line: string): string[] => line.split('│').slice(1, -1).map((c) => c.trim());

describe('mmreplay list policies', () => {
  it('prints the preset-by-axis table within 120 columns, each preset with its variant per axis', async () => {
    const run = await list('policies');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n');
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(120);
    // The table may be split into parts side by side in reading order, each repeating `preset`.
    const heads = lines.filter((l) => l.startsWith('│ preset ')).map(rowCells);
    expect(heads.flatMap((h) => h.slice(1))).toEqual([...AXIS_NAMES]);
    const seen: Record<string, string[]> = {};
    for (const l of lines.filter((x) => /^│ linux-/.test(x))) {
      const [name, ...cells] = rowCells(l);
      (seen[name!] ??= []).push(...cells);
    }
    expect(Object.keys(seen)).toEqual(PRESET_NAMES);
    for (const name of PRESET_NAMES) expect(seen[name]).toEqual(AXIS_NAMES.map((a) => PRESETS[name]![a]));
    expect(run.stdout).toContain(`Default --base and policy: ${NEWEST_PRESET}`);
  });

  it('lists every axis and its variants with commit and summary', async () => {
    const run = await list('policies');
    const text = run.stdout.replace(/\n +/g, ' ');
    for (const axis of AXIS_NAMES) {
      expect(run.stdout).toMatch(new RegExp(`^${axis}: `, 'm'));
      for (const v of AXES[axis] as readonly VariantInfo[]) {
        expect(run.stdout).toMatch(new RegExp(`^  ${v.name} +\\S`, 'm'));
        expect(text).toContain(`commit: ${v.commit}`);
        expect(text).toContain(v.summary);
      }
    }
  });

  it('--json gives presets, axes and variants with commits and the presets using each', async () => {
    const run = await list('policies', '--json');
    expect(run.code).toBe(0);
    const j = JSON.parse(run.stdout) as {
      newest_preset: string;
      axes: string[];
      presets: Record<string, string>[];
      variants: { axis: string; describe: string; variants: { name: string; commit: string; summary: string; presets: string[] }[] }[];
    };
    expect(j.newest_preset).toBe(NEWEST_PRESET);
    expect(j.axes).toEqual([...AXIS_NAMES]);
    expect(j.presets).toEqual(PRESET_NAMES.map((name) => ({ name, ...PRESETS[name] })));
    expect(j.variants.map((a) => a.axis)).toEqual([...AXIS_NAMES]);
    for (const a of j.variants) {
      expect(a.describe.length).toBeGreaterThan(0);
      const registered = AXES[a.axis as (typeof AXIS_NAMES)[number]] as readonly VariantInfo[];
      expect(a.variants.map((v) => [v.name, v.commit, v.summary])).toEqual(registered.map((v) => [v.name, v.commit, v.summary]));
      for (const v of a.variants) {
        expect(v.presets).toEqual(PRESET_NAMES.filter((p) => PRESETS[p]![a.axis as (typeof AXIS_NAMES)[number]] === v.name));
      }
    }
    const swapin = j.variants.find((a) => a.axis === 'swapin')!;
    expect(swapin.variants.find((v) => v.name === 'skip-prepare-tick')!.presets).toEqual(['linux-6.8']);
  });
});

describe('mmreplay list costs', () => {
  it('prints every cost figure with ns, cycles at 3 GHz and its source, within 120 columns', async () => {
    const run = await list('costs');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n');
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(120);
    const rows = new Map<string, string[]>();
    let last = '';
    for (const l of lines.filter((x) => x.startsWith('│ '))) {
      const cells = rowCells(l);
      if (cells[0] !== '') {
        last = cells[0]!;
        rows.set(last, cells);
      } else rows.get(last)![3] += ` ${cells[3]}`; // a wrapped source continues on the next line
    }
    expect(rows.get('cost')!.slice(0, 3)).toEqual(['cost', 'ns', 'cycles @ 3 GHz']);
    rows.delete('cost');
    expect([...rows.keys()]).toEqual(Object.keys(DEFAULT_COSTS));
    for (const [name, def] of Object.entries(DEFAULT_COSTS)) {
      const [, ns, cycles, source] = rows.get(name)!;
      expect(Number(ns)).toBe(def.ns);
      expect(Number(cycles)).toBe(Math.round(def.ns * 3));
      expect(source!.replace(/\s+/g, ' ')).toBe(def.source.replace(/\s+/g, ' '));
    }
    expect(run.stdout).toContain('One jiffy at --hz 1000: 1000000 ns = 3000000 cycles');
  });

  it('--json gives every figure with ns, cycles and source', async () => {
    const run = await list('costs', '--json');
    expect(run.code).toBe(0);
    const j = JSON.parse(run.stdout) as { cpu_ghz: number; jiffy_cycles: number; costs: { name: string; ns: number; cycles: number; source: string }[] };
    expect(j.cpu_ghz).toBe(3);
    expect(j.jiffy_cycles).toBe(3_000_000);
    expect(j.costs).toEqual(Object.entries(DEFAULT_COSTS).map(([name, d]) => ({ name, ns: d.ns, cycles: Math.round(d.ns * 3), source: d.source })));
  });
});

describe('mmreplay list (topics)', () => {
  it('an unknown topic exits 2 naming scenarios, policies and costs', async () => {
    const run = await list('nonsense');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('scenarios, policies, costs');
  });
});
