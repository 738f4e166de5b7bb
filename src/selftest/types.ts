/**
 * What `mmreplay selftest` produces: one verdict per (case, variant, policy), with the reason in
 * the kernel selftest's own words. Plain data; the CLI prints it as a table, JSON or CSV.
 */

/** The selftest suites emulated. */
export const SUITES = ['cow', 'migration'] as const;
/** One of SUITES. */
export type Suite = (typeof SUITES)[number];

/**
 * kselftest's results: `ok` (PASS), `not ok` (FAIL), `# SKIP` (the test could not run what it
 * tests: here, a path the emulator does not have yet, or a precondition the replay did not meet).
 */
export type Verdict = 'PASS' | 'FAIL' | 'SKIP';

/** One case of a suite in one variant (cow.c: base page or swapped-out base page; migration.c: one). */
export interface SelftestCase {
  /** Short id (CSV, --json). */
  id: string;
  /** The selftest's own description of the case. */
  name: string;
  /** `base page`, `swapped-out base page`, or `-`. */
  variant: string;
}

/** The verdict of one case under one policy. */
export interface CaseVerdict {
  policy: string;
  suite: Suite;
  case: string;
  variant: string;
  verdict: Verdict;
  /** The selftest's message (pass or fail), then what the replay saw, in brackets. */
  reason: string;
}

/** A whole run: cases (rows) by policies (columns). */
export interface SelftestReport {
  suite: Suite;
  /** Canonical policy labels, in the order given. */
  policies: string[];
  cases: SelftestCase[];
  /** verdicts[i][j]: case i under policy j. */
  verdicts: CaseVerdict[][];
  /** Settings that shaped the generated tables (migration: readers, iterations ...). */
  settings: Record<string, string | number>;
}
