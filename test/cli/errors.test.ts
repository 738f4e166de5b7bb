/**
 * How the CLI reports what goes wrong (docs/design.md section 6): an emulator invariant failure is a
 * bug, exit 1 with the entity's recent history; any other unexpected error exit 1 without a
 * stack trace unless MMREPLAY_DEBUG is set.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/main.js';
import { Folio } from '../../src/replay/mm/folio.js';
import { FolioStore } from '../../src/replay/mm/folio_store.js';
import type { CliIO } from '../../src/cli/io.js';

function io(env: Record<string, string> = {}): { io: CliIO; err: () => string } {
  const parts: string[] = [];
  const stderr = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      parts.push(chunk.toString());
      cb();
    },
  });
  const stdout = new Writable({ write: (_c, _e, cb) => cb() });
  return { io: { stdout, stderr, cwd: '/', env }, err: () => parts.join('') };
}

describe('reportError', () => {
  it('a refcount below zero is an invariant failure: exit 1, BUG, and the folio\'s recent history', () => {
    const f = new Folio(7, 0, new FolioStore());
    f.get(1, 'gup');
    f.put(1, 'unpin');
    f.put(1, 'folio_put');
    let thrown: unknown;
    try {
      f.put(1, 'double put');
    } catch (e) {
      thrown = e;
    }
    const { io: cli, err } = io();
    expect(reportError(thrown, cli)).toBe(1);
    const lines = err().trim().split('\n');
    expect(lines[0]).toBe('mmreplay: BUG: invariant failed: refcount below zero (folio 7)');
    expect(lines[1]).toBe('recent history of folio 7:');
    expect(lines.slice(2).map((l) => l.trim())).toEqual([
      'gup: refcount 2, mapcount 0',
      'unpin: refcount 1, mapcount 0',
      'folio_put: refcount 0, mapcount 0',
      'double put: refcount -1, mapcount 0',
    ]);
  });

  it('any other error: exit 1, the message, and the stack only with MMREPLAY_DEBUG', () => {
    const quiet = io();
    expect(reportError(new TypeError('x is undefined'), quiet.io)).toBe(1);
    expect(quiet.err()).toContain('mmreplay: internal error: x is undefined');
    expect(quiet.err()).toContain('set MMREPLAY_DEBUG=1');
    expect(quiet.err()).not.toContain('    at ');
    const debug = io({ MMREPLAY_DEBUG: '1' });
    expect(reportError(new TypeError('x is undefined'), debug.io)).toBe(1);
    expect(debug.err()).toContain('    at ');
  });
});
