/**
 * `selftest cow`: replay each anonymous case of tools/testing/selftests/mm/cow.c (cow_cases.ts)
 * under each policy and give the kernel selftest's verdict from what the replay saw:
 * - FAIL when the case's check row (its memcmp) had an integrity finding: the child or the
 *   parent read another process's data (`leak`, `dma_leak`), or the pin read an older version
 *   (`dma_lost_write`, `lost_write`); also when the replay deadlocked (the test would hang);
 * - SKIP when the replay could not run what the case tests: an op of the case is not emulated
 *   (`op_not_emulated.*`), or MADV_PAGEOUT wrote nothing to swap in the swapped-out variant
 *   (cow.c: "MADV_PAGEOUT did not work, is swap enabled?");
 * - PASS otherwise.
 */
import type { Policy } from '../replay/policies/types.js';
import type { MachineConfig, PolicyResult } from '../replay/result.js';
import { checkRowOf, COW_CASES, COW_VARIANTS, cowRows, type CowCase, type CowVariant } from './cow_cases.js';
import { eventColumns, type EventRow } from './event_rows.js';
import { replayOutcomes, type ReplayOutcomes } from './replay_outcomes.js';
import type { CaseVerdict, SelftestCase, SelftestReport, Verdict } from './types.js';

/** Options of a cow run. */
export interface CowOptions {
  /** Machine overrides (seed, swap device ...). */
  machine?: Partial<MachineConfig>;
}

/** Run every cow.c case in both variants under every policy. */
export function runCowSelftest(policies: readonly Policy[], opts: CowOptions = {}): SelftestReport {
  const cases: SelftestCase[] = [];
  const verdicts: CaseVerdict[][] = [];
  for (const c of COW_CASES) {
    for (const variant of COW_VARIANTS) {
      const rows = cowRows(c, variant);
      const outs = replayOutcomes(eventColumns(rows), policies, { machine: opts.machine, name: `cow/${c.id}/${variant}` });
      cases.push({ id: c.id, name: c.name, variant });
      verdicts.push(outs.map((o) => cowVerdict(c, variant, rows, o)));
    }
  }
  return { suite: 'cow', policies: policies.map((p) => p.label), cases, verdicts, settings: { seed: opts.machine?.seed ?? 1 } };
}

/** The verdict of one case under one policy, from its replay. */
export function cowVerdict(c: CowCase, variant: CowVariant, rows: readonly EventRow[], o: ReplayOutcomes): CaseVerdict {
  const r = o.result;
  const verdict = (v: Verdict, reason: string): CaseVerdict => ({ policy: r.policy, suite: 'cow', case: c.name, variant, verdict: v, reason });
  const missing = notEmulated(r, rows);
  if (missing.length > 0) return verdict('SKIP', `not emulated yet: ${missing.join(', ')}`);
  if (variant === 'swapped-out base page' && !(r.counters.swap_write_pages! > 0)) {
    return verdict('SKIP', 'MADV_PAGEOUT did not work, is swap enabled? [no page written to swap]');
  }
  const hang = r.findings.find((f) => f.kind === 'deadlock');
  if (hang !== undefined) return verdict('FAIL', `${c.messages.fail} [emulated deadlock, the test would hang: ${hang.message}]`);
  const checkRow = checkRowOf(rows);
  const check = o.events.find((e) => e.row === checkRow);
  const [, pid, , op] = rows[checkRow]!;
  if (check === undefined) return verdict('FAIL', `${c.messages.fail} [the check (${op} by pid ${pid}) never ran]`);
  if (check.outcome === 'violation') return verdict('FAIL', `${c.messages.fail} [${op} by pid ${pid} ${integrityText(r)}]`);
  return verdict('PASS', c.messages.pass);
}

/** Ops of the case the replay counted as not emulated (op_not_emulated.<op>). */
function notEmulated(r: PolicyResult, rows: readonly EventRow[]): string[] {
  const ops = [...new Set(rows.map((row) => row[3]))];
  return ops.filter((op) => (r.counters[`op_not_emulated.${op}`] ?? 0) > 0);
}

/** What each integrity finding means for the check (mm/oracle.ts). */
const SAW: Record<string, string> = {
  leak: "another process's data",
  dma_leak: "another process's data",
  lost_write: 'an older version',
  dma_lost_write: 'an older version',
};

/** `saw another process's data: dma_leak x1`: the replay's integrity findings. */
function integrityText(r: PolicyResult): string {
  const kinds = r.integrity.map((i) => `${i.kind} x${i.count}`).join(', ');
  const saw = SAW[r.integrity[0]?.kind ?? ''];
  return saw !== undefined ? `saw ${saw}: ${kinds}` : `found ${kinds}`;
}
