/**
 * The house rules a reader relies on (docs/design.md section 0), checked on the source text:
 * no import circle of files anywhere in src/ (type-only imports included), only src/cli touches
 * node:fs and process, no import for its side effects, no registration list or WeakMap side
 * table in src/replay, and only the engine sets the clock.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Relative imports of a file (static `import`/`export ... from`, type-only too), as absolute .ts paths. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'/gm)) {
    out.push(resolve(dirname(file), (m[1] ?? m[2])!.replace(/\.js$/, '.ts')));
  }
  return out;
}

/** Every cycle's files (strongly connected components of more than one file, or a self-import). */
function circles(all: string[], importsOf: (f: string) => string[] = imports): string[][] {
  const graph = new Map(all.map((f) => [f, importsOf(f).filter((d) => all.includes(d))]));
  let n = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, n);
    low.set(v, n++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1 || graph.get(v)!.includes(v)) out.push(c.map((f) => relative(SRC, f)).sort());
    }
  };
  for (const f of all) if (!index.has(f)) visit(f);
  return out;
}

describe('the import graph of src/', () => {
  it('finds a planted circle, and reads type-only imports as edges (the check can fail)', () => {
    const a = join(SRC, 'a.ts');
    const b = join(SRC, 'b.ts');
    const c = join(SRC, 'c.ts');
    const planted: Record<string, string[]> = { [a]: [b], [b]: [a, c], [c]: [] };
    expect(circles([a, b, c], (f) => planted[f]!)).toEqual([['a.ts', 'b.ts']]);
    // engine.ts imports task.ts by `import { TaskState, type Block, ... }`; row_loop.ts imports Path as a type only
    expect(imports(join(SRC, 'replay/engine/engine.ts')).some((d) => d.endsWith('engine/task.ts'))).toBe(true);
    expect(imports(join(SRC, 'replay/row_loop.ts')).some((d) => d.endsWith('engine/task.ts'))).toBe(true);
  });

  it('src/ has no import circle', () => {
    expect(circles(files(SRC))).toEqual([]);
  });

  it('only src/cli touches node:fs and process', () => {
    for (const f of files(SRC)) {
      if (f.includes('/src/cli/')) continue;
      const text = readFileSync(f, 'utf8');
      expect(text, relative(SRC, f)).not.toMatch(/node:fs|\bprocess\./);
    }
  });

  it('src/replay imports nothing for its side effects, and has no registration list or WeakMap side table', () => {
    for (const f of files(join(SRC, 'replay'))) {
      const text = readFileSync(f, 'utf8');
      expect(text, relative(SRC, f)).not.toMatch(/^\s*import\s+'/m);
      expect(text, relative(SRC, f)).not.toMatch(/KERNEL_INITS|new WeakMap|new WeakSet/);
    }
  });

  it('only src/replay/engine sets the clock', () => {
    for (const f of files(join(SRC, 'replay'))) {
      if (f.includes('/engine/')) continue;
      expect(readFileSync(f, 'utf8'), relative(SRC, f)).not.toMatch(/\.(now|clock)\s*=[^=]/);
    }
  });
});
