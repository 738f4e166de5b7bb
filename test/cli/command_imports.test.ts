/**
 * The CLI's shape (issue 12 items 5 and 6): no command file imports another command's file
 * (what they share lives in src/cli/common.ts), src/cli has no import circle, and outside src/cli
 * no library code touches node:fs or `process` (files land at the edge; src/replay, refactored
 * elsewhere, is checked by its own work).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = resolve('src/cli');

/** Static relative imports of a file (`import ... from './x.js'`, `export ... from`), as .ts paths. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/gms)) {
    out.push(resolve(file, '..', m[1]!.replace(/\.js$/, '.ts')));
  }
  for (const m of text.matchAll(/^\s*import\s+'(\.{1,2}\/[^']+)'/gm)) out.push(resolve(file, '..', m[1]!.replace(/\.js$/, '.ts')));
  return out;
}

/** The CLI's command files: those defining a command (`CommandFactory`) for the registry. */
function commandFiles(): string[] {
  return readdirSync(CLI)
    .filter((n) => n.endsWith('.ts'))
    .map((n) => join(CLI, n))
    .filter((f) => /export const \w+: CommandFactory =/.test(readFileSync(f, 'utf8')));
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('src/cli imports', () => {
  it('finds the commands (the check below has something to check)', () => {
    const names = commandFiles().map((f) => relative(CLI, f)).sort();
    expect(names).toEqual(['analyze.ts', 'demo.ts', 'generate.ts', 'ingest.ts', 'inspect.ts', 'list.ts', 'replay.ts', 'report.ts', 'selftest.ts']);
  });

  it('no command file imports another command\'s file', () => {
    const commands = new Set(commandFiles());
    const bad: string[] = [];
    for (const f of commands) {
      for (const dep of imports(f)) if (commands.has(dep) && dep !== f) bad.push(`${relative(CLI, f)} imports ${relative(CLI, dep)}`);
    }
    expect(bad).toEqual([]);
  });

  it('no import circle among the files of src/cli', () => {
    const files = tsFiles(CLI);
    const graph = new Map(files.map((f) => [f, imports(f).filter((d) => d.startsWith(CLI))]));
    const state = new Map<string, 1 | 2>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      state.set(f, 1);
      for (const d of graph.get(f) ?? []) {
        if (state.get(d) === 1) cycles.push([...path.slice(path.indexOf(d)), d].map((p) => relative(CLI, p)).join(' -> '));
        else if (state.get(d) === undefined) visit(d, [...path, d]);
      }
      state.set(f, 2);
    };
    for (const f of files) if (state.get(f) === undefined) visit(f, [f]);
    expect(cycles).toEqual([]);
  });

  it('no eslint-disable comment in src/cli (there is no linter)', () => {
    const bad = tsFiles(CLI).filter((f) => readFileSync(f, 'utf8').includes('eslint-disable'));
    expect(bad.map((f) => relative(CLI, f))).toEqual([]);
  });
});

describe('files at the edge', () => {
  it('library code outside src/cli and src/replay uses neither node:fs nor process', () => {
    const bad: string[] = [];
    for (const f of tsFiles(resolve('src'))) {
      const rel = relative(resolve('.'), f);
      if (rel.startsWith('src/cli/') || rel.startsWith('src/replay/')) continue;
      readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        if (/node:fs|\bprocess\./.test(line)) bad.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(bad).toEqual([]);
  });
});
