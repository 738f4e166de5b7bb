import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AXES, AXIS_NAMES, findVariant, type AxisName } from '../../src/replay/policies/axes.js';
import { axisPolicies, NEWEST_PRESET, parsePolicy, policyVariants, PRESET_NAMES, PRESETS } from '../../src/replay/policies/presets.js';
import type { VariantInfo } from '../../src/replay/policies/types.js';
import { InputError } from '../../src/util/errors.js';

/** The InputError `fn` throws (fails the test when it throws nothing or something else). */
function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

const variantsOf = (axis: AxisName): readonly VariantInfo[] => AXES[axis] as readonly VariantInfo[];

describe('parsePolicy grammar', () => {
  it('a preset alone is its own label and picks the preset variants', () => {
    for (const name of PRESET_NAMES) {
      const p = parsePolicy(name);
      expect(p.label).toBe(name);
      expect(policyVariants(p)).toEqual(PRESETS[name]);
    }
  });

  it('axis=variant pairs without a preset apply to --base (default the newest preset)', () => {
    expect(NEWEST_PRESET).toBe('linux-6.12');
    expect(parsePolicy('swapin=skip').label).toBe('linux-6.12+swapin=skip');
    const p = parsePolicy('swapin=swapcache', 'linux-6.1');
    expect(p.label).toBe('linux-6.1+swapin=swapcache');
    expect(policyVariants(p)).toEqual({ ...PRESETS['linux-6.1'], swapin: 'swapcache' });
  });

  it('a preset plus overrides joined by + or , gives a label without commas, overrides in axis order', () => {
    const a = parsePolicy('linux-6.8+swapin=skip,fault_lock=vma-wait');
    const b = parsePolicy('linux-6.8,fault_lock=vma-wait+swapin=skip');
    const c = parsePolicy('swapin=skip+linux-6.8+fault_lock=vma-wait');
    for (const p of [a, b, c]) {
      expect(p.label).toBe('linux-6.8+fault_lock=vma-wait+swapin=skip');
      expect(p.fault_lock.name).toBe('vma-wait');
      expect(p.swapin.name).toBe('skip');
      expect(p.migration_wait.name).toBe(PRESETS['linux-6.8']!.migration_wait);
    }
    expect(parsePolicy(' linux-6.8 , swapin=skip ').label).toBe('linux-6.8+swapin=skip');
  });

  it('an override equal to the preset own variant is dropped from the label', () => {
    expect(parsePolicy('linux-6.8+swapin=skip-prepare-tick').label).toBe('linux-6.8');
    expect(parsePolicy('swapin=skip-prepare-wq').label).toBe('linux-6.12');
    expect(parsePolicy('linux-5.8+gup_cow=break+wp_reuse=refcount').label).toBe('linux-5.8+wp_reuse=refcount');
  });

  it('no label of any single override on any preset contains a comma, and overrides re-parse to the same policy', () => {
    for (const preset of PRESET_NAMES) {
      for (const axis of AXIS_NAMES) {
        for (const v of variantsOf(axis)) {
          const p = parsePolicy(`${preset},${axis}=${v.name}`);
          expect(p.label).not.toContain(',');
          expect(p[axis].name).toBe(v.name);
          expect(policyVariants(parsePolicy(p.label))).toEqual(policyVariants(p));
        }
      }
    }
  });

  it('uses the registered variant objects', () => {
    const p = parsePolicy('linux-6.4');
    for (const axis of AXIS_NAMES) expect(p[axis]).toBe(findVariant(axis, PRESETS['linux-6.4']![axis]));
  });

  it('an unknown preset is an InputError naming every preset', () => {
    const e = inputError(() => parsePolicy('linux-9.9'));
    expect(e.issues[0]!.code).toBe('bad-policy');
    for (const name of PRESET_NAMES) expect(e.message).toContain(name);
    expect(e.message).toContain('"linux-9.9"');
  });

  it('an unknown axis is an InputError naming every axis', () => {
    const e = inputError(() => parsePolicy('linux-6.8+swap_in=skip'));
    for (const axis of AXIS_NAMES) expect(e.message).toContain(axis);
    expect(e.message).toContain('"swap_in=skip"');
  });

  it('an unknown variant is an InputError naming the variants of that axis', () => {
    const e = inputError(() => parsePolicy('swapin=fast'));
    for (const v of variantsOf('swapin')) expect(e.message).toContain(v.name);
    expect(e.message).toContain('"swapin=fast"');
  });

  it('two different variants of one axis, or two presets, are errors; the same pair twice is not', () => {
    expect(inputError(() => parsePolicy('swapin=skip+swapin=swapcache')).message).toContain('swapin given twice');
    expect(inputError(() => parsePolicy('linux-6.8+linux-6.12')).message).toContain('at most one preset');
    expect(parsePolicy('swapin=skip,swapin=skip').label).toBe('linux-6.12+swapin=skip');
  });

  it('an empty spec or an unknown --base is an InputError', () => {
    expect(inputError(() => parsePolicy(' + , ')).message).toContain('axis=variant');
    const e = inputError(() => parsePolicy('swapin=skip', 'linux-4.0'));
    for (const name of PRESET_NAMES) expect(e.message).toContain(name);
  });
});

describe('axisPolicies', () => {
  it('gives every variant of an axis on the base, oldest first', () => {
    const ps = axisPolicies('swapin');
    expect(ps.map((p) => p.swapin.name)).toEqual(['swapcache', 'skip', 'skip-prepare-tick', 'skip-prepare-wq']);
    expect(ps.map((p) => p.label)).toEqual([
      'linux-6.12+swapin=swapcache',
      'linux-6.12+swapin=skip',
      'linux-6.12+swapin=skip-prepare-tick',
      'linux-6.12',
    ]);
    for (const p of ps) {
      for (const axis of AXIS_NAMES.filter((a) => a !== 'swapin')) expect(p[axis].name).toBe(PRESETS['linux-6.12']![axis]);
    }
  });

  it('follows --base and the registration order of every axis', () => {
    for (const axis of AXIS_NAMES) {
      const ps = axisPolicies(axis, 'linux-5.8');
      expect(ps.map((p) => p[axis].name)).toEqual(variantsOf(axis).map((v) => v.name));
      expect(ps.every((p) => p.label.startsWith('linux-5.8'))).toBe(true);
    }
  });

  it('lists each axis oldest first, as docs/design.md section 3 does', () => {
    const names = Object.fromEntries(AXIS_NAMES.map((a) => [a, variantsOf(a).map((v) => v.name)]));
    expect(names).toEqual({
      fault_lock: ['mmap-noretry', 'mmap', 'vma-swap-fallback', 'vma-retry', 'vma-wait'],
      file_fault_lock: ['mmap', 'vma-fallback', 'vma'],
      migration_wait: ['pageref-hold', 'pageref-put', 'ptl'],
      wp_reuse: ['mapcount', 'refcount', 'anon-exclusive'],
      gup_cow: ['none', 'break', 'unshare'],
      fork_cow: ['share', 'early-cow', 'early-cow-any'],
      swapin: ['swapcache', 'skip', 'skip-prepare-tick', 'skip-prepare-wq'],
      rmap_lock: ['none', 'vma-adjust-lock', 'anon-vma-root'],
    });
  });

  it('an unknown axis is an InputError naming every axis', () => {
    const e = inputError(() => axisPolicies('swap'));
    for (const axis of AXIS_NAMES) expect(e.message).toContain(axis);
  });
});

/**
 * The presets as docs/policies.md establishes them, cell by cell, with the evidence per cell.
 * Releases are .0 tags; stable backports do not move a cell (docs/policies.md lists them).
 */
const EXPECTED_PRESETS: Record<string, Record<AxisName, string>> = {
  'linux-2.6.34-rc': {
    fault_lock: 'mmap-noretry', // d065bd810b6d (FAULT_FLAG_ALLOW_RETRY, lock_page_or_retry) merged for 2.6.37
    file_fault_lock: 'mmap', // no per-VMA locks before 6.4
    migration_wait: 'pageref-hold', // __migration_entry_wait: get_page_unless_zero + wait_on_page_locked until 4.20
    wp_reuse: 'mapcount', // do_wp_page -> reuse_swap_page (mapcount + swapcount) until 09854ba94c6a (5.9)
    gup_cow: 'none', // 17839856fd58 only in 5.8
    fork_cow: 'share', // 70e806e4e645 in 5.9
    swapin: 'swapcache', // 0bcac06f27d7 in 4.15
    rmap_lock: 'none', // the -rc after the anon_vma_chain rework; root locking 012f18004da3 in 2.6.36
  },
  'linux-5.8': {
    fault_lock: 'mmap', // d065bd810b6d (2.6.37); per-VMA locks 6.4
    file_fault_lock: 'mmap',
    migration_wait: 'pageref-put', // 9a1ea439b16b merged for 5.0 (still in mmotm against 4.20-rc7)
    wp_reuse: 'mapcount', // 09854ba94c6a landed in 5.9-rc4
    gup_cow: 'break', // 17839856fd58 in 5.8-rc1; reverted by a308c71bf1e6 in 5.9-rc4
    fork_cow: 'share', // 70e806e4e645 in 5.9-rc7
    swapin: 'skip', // 0bcac06f27d7 (4.15)
    rmap_lock: 'anon-vma-root', // 5c341ee1dfc8, 012f18004da3 (2.6.36)
  },
  'linux-5.10': {
    fault_lock: 'mmap',
    file_fault_lock: 'mmap',
    migration_wait: 'pageref-put', // ffa65753c431 only in 5.17
    wp_reuse: 'refcount', // 09854ba94c6a (5.9-rc4)
    gup_cow: 'none', // a308c71bf1e6 removed the forced COW in 5.9-rc4; unshare only in 5.19
    fork_cow: 'early-cow', // 70e806e4e645 (5.9-rc7)
    swapin: 'skip',
    rmap_lock: 'anon-vma-root',
  },
  'linux-6.1': {
    fault_lock: 'mmap', // per-VMA locks in 6.4
    file_fault_lock: 'mmap',
    migration_wait: 'ptl', // ffa65753c431 (5.17-rc1)
    wp_reuse: 'anon-exclusive', // 6c287605fd56 (MM updates for 5.19-rc1)
    gup_cow: 'unshare', // c89357e27f20 + a7f226604170 (MM updates for 5.19-rc1)
    fork_cow: 'early-cow', // fork side fb3d824d1a46 (5.19) keeps copying maybe-pinned pages
    swapin: 'skip', // 13ddaf26be32 only in 6.8 (6.1.y stable backport not counted)
    rmap_lock: 'anon-vma-root',
  },
  'linux-6.4': {
    fault_lock: 'vma-swap-fallback', // per-VMA locks (MM updates for 6.4-rc1); do_swap_page RETRY under the VMA lock
    file_fault_lock: 'mmap', // lock_vma_under_rcu: "Only anonymous vmas are supported for now" (until 6.6)
    migration_wait: 'ptl',
    wp_reuse: 'anon-exclusive',
    gup_cow: 'unshare',
    fork_cow: 'early-cow',
    swapin: 'skip',
    rmap_lock: 'anon-vma-root',
  },
  'linux-6.6': {
    fault_lock: 'vma-retry', // 1235ccd05b6d "handle swap page faults under per-VMA lock" (MM updates for 6.6-rc1)
    file_fault_lock: 'vma-fallback', // 350f6bbca1de + fault-around f5617ffeb450 (6.6); ->fault returns RETRY
    migration_wait: 'ptl',
    wp_reuse: 'anon-exclusive',
    gup_cow: 'unshare',
    fork_cow: 'early-cow',
    swapin: 'skip', // 13ddaf26be32 reached 6.6.y by stable backport (Feb 2024), not 6.6.0
    rmap_lock: 'anon-vma-root',
  },
  'linux-6.8': {
    fault_lock: 'vma-retry',
    file_fault_lock: 'vma', // 12214eba1992 "handle read faults under the VMA lock" (MM updates for 6.7-rc1)
    migration_wait: 'ptl',
    wp_reuse: 'anon-exclusive',
    gup_cow: 'unshare',
    fork_cow: 'early-cow',
    swapin: 'skip-prepare-tick', // 13ddaf26be32 in mainline by 2024-02-27 (6.6-stable review says "upstream"), before 6.8.0
    rmap_lock: 'anon-vma-root',
  },
  'linux-6.12': {
    fault_lock: 'vma-retry',
    file_fault_lock: 'vma',
    migration_wait: 'ptl',
    wp_reuse: 'anon-exclusive',
    gup_cow: 'unshare',
    fork_cow: 'early-cow',
    swapin: 'skip-prepare-wq', // 01626a182302 via mm-hotfixes-stable-2024-10-28 (6.12-rc6)
    rmap_lock: 'anon-vma-root',
  },
};

/** The preset table of docs/policies.md: the markdown table whose header starts `| preset | fault_lock |`. */
function docPresetTable(): Record<string, Record<string, string>> {
  const md = readFileSync(fileURLToPath(new URL('../../docs/policies.md', import.meta.url)), 'utf8');
  const lines = md.split('\n');
  const start = lines.findIndex((l) => /^\|\s*preset\s*\|\s*fault_lock\s*\|/.test(l));
  expect(start).toBeGreaterThanOrEqual(0);
  const cells = (l: string): string[] => l.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim().replace(/`/g, ''));
  const head = cells(lines[start]!);
  const out: Record<string, Record<string, string>> = {};
  for (const l of lines.slice(start + 2)) {
    if (!l.trim().startsWith('|')) break;
    const row = cells(l);
    out[row[0]!] = Object.fromEntries(head.slice(1).map((h, i) => [h, row[i + 1]!]));
  }
  return out;
}

describe('PRESETS', () => {
  it('equals the cells established in docs/policies.md (expected table with evidence above)', () => {
    expect(PRESET_NAMES).toEqual(Object.keys(EXPECTED_PRESETS));
    for (const name of PRESET_NAMES) expect({ name, ...PRESETS[name] }).toEqual({ name, ...EXPECTED_PRESETS[name] });
  });

  it('equals the preset table printed in docs/policies.md', () => {
    expect(docPresetTable()).toEqual(Object.fromEntries(PRESET_NAMES.map((n) => [n, { ...PRESETS[n] }])));
  });

  it('names only registered variants, and the newest preset is the last', () => {
    for (const name of PRESET_NAMES) {
      for (const axis of AXIS_NAMES) expect(findVariant(axis, PRESETS[name]![axis]), `${name} ${axis}`).toBeDefined();
    }
    expect(NEWEST_PRESET).toBe(PRESET_NAMES[PRESET_NAMES.length - 1]);
  });
});

describe('variant modules', () => {
  it('every variant has a unique name in its axis, a non-empty commit and a one-line summary', () => {
    for (const axis of AXIS_NAMES) {
      const vs = variantsOf(axis);
      expect(new Set(vs.map((v) => v.name)).size).toBe(vs.length);
      for (const v of vs) {
        expect(v.name, axis).toMatch(/^[a-z0-9][a-z0-9-]*$/);
        expect(v.commit.trim().length, `${axis}=${v.name} commit`).toBeGreaterThan(0);
        expect(v.summary.trim().length, `${axis}=${v.name} summary`).toBeGreaterThan(0);
        expect(v.summary, `${axis}=${v.name} summary is one line`).not.toContain('\n');
      }
    }
  });

  it('every variant module is variants/<axis>/<name>.ts and its commit names a commit id, a release or a proposal', () => {
    for (const axis of AXIS_NAMES) {
      for (const v of variantsOf(axis)) {
        const src = readFileSync(fileURLToPath(new URL(`../../src/replay/policies/variants/${axis}/${v.name}.ts`, import.meta.url)), 'utf8');
        expect(src).toContain(`name: '${v.name}'`);
        expect(v.commit, `${axis}=${v.name}`).toMatch(/[0-9a-f]{10,}|\b\d\.\d+|proposed|patch/);
      }
    }
  });
});
