/**
 * When tools/testing/selftests/mm/migration.c fails, per kernel era, as data.
 *
 * - `first-failure`: migrate() returns -2 on the first move_pages() that returns a positive
 *   count ("Didn't migrate %d pages"): the test as first written, and as it stayed until 2024.
 * - `consecutive-100`: since Dev Jain's "selftests/mm: Relax test to fail after 100 migration
 *   failures" (lore 20240830051609.4037834-1-dev.jain@arm.com; Suggested-by David Hildenbrand;
 *   queued in the mm tree for the 6.12 merge window), a failed call is retried with the same
 *   target (`if (++failures < MAX_RETRIES) continue;`, MAX_RETRIES 100) and a successful one
 *   resets the count (`failures = 0;`): the test fails on the 100th consecutive failure.
 *   "migration is a best-effort service, therefore, it is wrong to fail the test for just a
 *   single failure."
 *
 * Presets older than the selftest itself (it appeared in 2021) get the first rule: what the
 * test would have said on that kernel.
 */
import { PRESET_NAMES } from '../replay/policies/presets.js';

/** The two pass rules of migration.c's migrate(). */
export type MigrationPassRule = 'first-failure' | 'consecutive-100';

/** MAX_RETRIES of the 6.12 migration.c. */
export const MIGRATION_MAX_RETRIES = 100;

/** The rule each preset's migration.c applies (every preset listed; the test checks that). */
export const MIGRATION_PASS_RULES: Readonly<Record<string, MigrationPassRule>> = {
  'linux-2.6.34-rc': 'first-failure',
  'linux-5.8': 'first-failure',
  'linux-5.10': 'first-failure',
  'linux-6.1': 'first-failure',
  'linux-6.4': 'first-failure',
  'linux-6.6': 'first-failure',
  'linux-6.8': 'first-failure',
  'linux-6.12': 'consecutive-100',
};

/** Where the rules come from, for docs and --json. */
export const MIGRATION_RULE_REFERENCE =
  'tools/testing/selftests/mm/migration.c migrate(); MAX_RETRIES since lore 20240830051609.4037834-1-dev.jain@arm.com (6.12)';

/**
 * The rule for a policy label: its preset's (`linux-6.12+migration_wait=pageref-hold` keeps 6.12's
 * selftest; axis overrides change the kernel, not the test). A preset missing from the table
 * takes the newest rule at or before it in PRESET_NAMES order.
 */
export function migrationPassRule(label: string): MigrationPassRule {
  const preset = label.split('+')[0]!;
  const rule = MIGRATION_PASS_RULES[preset];
  if (rule !== undefined) return rule;
  const at = PRESET_NAMES.indexOf(preset);
  for (let i = at; i >= 0; i--) {
    const r = MIGRATION_PASS_RULES[PRESET_NAMES[i]!];
    if (r !== undefined) return r;
  }
  return 'first-failure';
}
