import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { headerOf, OUTPUT_COLUMNS } from '../../src/report/columns.js';

const DOC = readFileSync(new URL('../../docs/reports.md', import.meta.url), 'utf8');

/** The column names listed in the table under `### FILE`. */
function documentedColumns(file: string): string[] {
  const at = DOC.indexOf(`### ${file}`);
  expect(at, `docs/reports.md has a section for ${file}`).toBeGreaterThanOrEqual(0);
  const section = DOC.slice(at).split(/\n### /)[0]!;
  return [...section.matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((m) => m[1]!);
}

describe('docs/reports.md', () => {
  for (const [file, columns] of Object.entries(OUTPUT_COLUMNS)) {
    it(`documents every column of ${file}, in order`, () => {
      expect(documentedColumns(file)).toEqual(columns.map((c) => headerOf(c, 'ns')));
    });
  }
});
