import { describe, expect, it } from 'vitest';
import { findColumn, headerOf, SUMMARY_COLUMNS } from '../../src/report/columns.js';
import { splitColumns } from '../../src/report/fit_table.js';
import { formatChange, formatCycles, formatNs, wrapLabel } from '../../src/report/format.js';
import { renderSummaryTables } from '../../src/report/terminal.js';
import { InputError } from '../../src/util/errors.js';
import { manyPolicies, smallResult } from './fixture.js';

/** The widest line of a text, in characters (report text is ASCII plus box-drawing characters). */
const widest = (text: string) => Math.max(...text.split('\n').map((l) => [...l].length));

describe('column table', () => {
  it('orders summary columns exactly as docs/design.md section 5', () => {
    expect(SUMMARY_COLUMNS.map((c) => headerOf(c, 'ns')).join(',')).toBe(
      'policy,events,faults,major_faults,makespan_ns,fault_mean_ns,fault_p50_ns,fault_p99_ns,fault_max_ns,mmap_lock_wait_ns,vma_lock_wait_ns,migrate_pages,migrate_ok,migrate_failed,refcount_failures,cow_copies,fork_copies,swapins,duplicate_swapins,integrity_violations,stale_migration_entries,deadlocks');
  });

  it('finds a column by ns header, cycles header or short name', () => {
    for (const name of ['fault_p99_ns', 'fault_p99_cycles', 'fault_p99', 'FAULT_P99']) expect(findColumn(SUMMARY_COLUMNS, name)?.key).toBe('fault_p99_ns');
    expect(findColumn(SUMMARY_COLUMNS, 'p99')).toBeUndefined();
  });
});

describe('number formatting', () => {
  it('prints human time units', () => {
    expect(formatNs(850)).toBe('850 ns');
    expect(formatNs(1234)).toBe('1.23 us');
    expect(formatNs(45_600_000)).toBe('45.6 ms');
    expect(formatNs(2_000_000_000)).toBe('2.00 s');
    expect(formatNs(999_960)).toBe('1.00 ms');
    expect(formatCycles(12_345)).toBe('12.3 kcyc');
  });

  it('prints changes against a baseline as percentages, or ratios when large', () => {
    expect(formatChange(112.3, 100)).toBe('+12.3%');
    expect(formatChange(55, 100)).toBe('-45.0%');
    expect(formatChange(410, 100)).toBe('x4.1');
    expect(formatChange(200, 100)).toBe('x2.0');
    expect(formatChange(12_345, 100)).toBe('x123');
    expect(formatChange(7, 7)).toBe('=');
    expect(formatChange(3, 0)).toBe('was 0');
  });

  it('wraps long policy labels before a +', () => {
    expect(wrapLabel('linux-6.8+swapin=skip-prepare-tick+fault_lock=vma-wait', 22)).toBe('linux-6.8\n+swapin=\nskip-prepare-tick\n+fault_lock=vma-wait');
    expect(wrapLabel('linux-6.4+file_fault_lock=vma-fallback', 22)).toBe('linux-6.4\n+file_fault_lock=\nvma-fallback');
    expect(wrapLabel('linux-6.8+swapin=skip', 22)).toBe('linux-6.8+swapin=skip');
    expect(wrapLabel('linux-6.8+swapin=skip+rmap_lock=none', 22)).toBe('linux-6.8\n+swapin=skip\n+rmap_lock=none');
    expect(wrapLabel('linux-6.12', 22)).toBe('linux-6.12');
  });

  it('splits columns into balanced parts that fit', () => {
    expect(splitColumns([20, 10, 10, 10, 10], 1, 60)).toEqual([[1, 2], [3, 4]]);
    expect(splitColumns([20, 10, 10], 1, 120)).toEqual([[1, 2]]);
  });
});

describe('terminal report', () => {
  it('shows policies side by side, each figure followed by its change against the baseline', () => {
    const text = renderSummaryTables(smallResult(), { unit: 'ns', baseline: 'linux-2.6.34-rc' });
    expect(text).toContain('Summary (changes against linux-2.6.34-rc)');
    expect(text).toMatch(/│ makespan +│ +1\.00 ms │ +500 us -50\.0% │/);
    expect(text).toMatch(/│ migrate_ok +│ +1 │ +2 x2\.0 │/);
    expect(text).toMatch(/│ vma_lock_wait +│ +0 ns │ +200 ns was 0 │/);
    expect(text).toContain('(baseline)');
  });

  it('names lock types in perf lock\'s words, lists every non-zero counter and every finding', () => {
    const text = renderSummaryTables(smallResult(), { unit: 'ns' });
    expect(text).toMatch(/│ mmap_lock +│ rwsem:W +│ linux-2\.6\.34-rc/);
    expect(text).toMatch(/│ vma_lock +│ rwsem:R +│ linux-6\.12/);
    expect(text).toMatch(/│ replay\.timer_interrupts +│ - +│ +7 │ +3 │/);
    expect(text).not.toContain('replay.retries');
    expect(text).toContain('Findings (deadlocks, kernel BUGs, OOM kills): 1');
    expect(text).toContain('[linux-2.6.34-rc] DEADLOCK at 1.00 ms: tid 101 and tid 102 wait for each other');
    expect(text).toContain('    tid 102 waits for folio_lock held by tid 101');
  });

  it('fits 120 columns with eight presets and with long labels and a baseline', () => {
    expect(widest(renderSummaryTables(manyPolicies(8), { unit: 'ns' }))).toBeLessThanOrEqual(120);
    const many = renderSummaryTables(manyPolicies(12), { unit: 'ns', baseline: 'linux-5.8' });
    expect(widest(many)).toBeLessThanOrEqual(120);
    expect(many).toContain('linux-6.12');
    expect(widest(renderSummaryTables(manyPolicies(3), { unit: 'cycles', columns: 80 }))).toBeLessThanOrEqual(80);
  });

  it('is byte-identical across renders', () => {
    const opts = { unit: 'ns' as const, baseline: 'linux-6.12' };
    expect(renderSummaryTables(smallResult(), opts)).toBe(renderSummaryTables(smallResult(), opts));
  });

  it('keeps --fields rows only and orders policies by --sort', () => {
    const text = renderSummaryTables(smallResult(), { unit: 'ns', fields: ['fault_p99,makespan_ns'], sort: ['makespan:asc'] });
    const summary = text.slice(text.indexOf('Summary'), text.indexOf('Refcount'));
    expect(summary).toMatch(/│ metric +│ linux-6\.12 │ linux-2\.6\.34-rc │/);
    expect(summary.match(/^│ (\w+)/gm)).toEqual(['│ metric', '│ fault_p99', '│ makespan']);
    expect(text).not.toContain('Latency by op and path');
  });

  it('rejects an unknown baseline or field with a usage error naming it', () => {
    expect(() => renderSummaryTables(smallResult(), { unit: 'ns', baseline: 'linux-9' })).toThrow(InputError);
    expect(() => renderSummaryTables(smallResult(), { unit: 'ns', baseline: 'linux-9' })).toThrow(/"linux-9".*expected one of: linux-2\.6\.34-rc, linux-6\.12/);
    expect(() => renderSummaryTables(smallResult(), { unit: 'ns', fields: ['p42'] })).toThrow(/"p42": --fields: unknown column/);
    expect(() => renderSummaryTables(smallResult(), { unit: 'ns', sort: ['nope:asc'] })).toThrow(/"nope": --sort: unknown column/);
  });
});
