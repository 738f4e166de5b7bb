import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { arrowKind, detectFormat, formatFromName, isGzip } from '../../src/ingest/detect.js';
import { load, loadError, rowsOf } from '../helpers/sources.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('format detection', () => {
  it('decides from content before the name', () => {
    expect(detectFormat(enc('ts,pid,tid,op,addr\n'), 'trace.lackey')).toBe('csv');
    expect(detectFormat(enc('==12== Lackey\nI  10,1\n'), 'x.csv')).toBe('lackey');
    expect(detectFormat(enc(' L 7ff000398,8\n'), 'noext')).toBe('lackey');
    expect(detectFormat(enc('ARROW1\0\0'), 'x.csv')).toBe('arrow');
    expect(detectFormat(enc('hello\n'), 'x.csv')).toBe('csv');
    expect(detectFormat(enc('hello\n'), 'x')).toBeUndefined();
  });

  it('knows gzip and Arrow magic and extensions under .gz', () => {
    expect(isGzip(gzipSync('x'))).toBe(true);
    expect(isGzip(enc('x,y'))).toBe(false);
    expect(arrowKind(new Uint8Array([255, 255, 255, 255, 8, 0, 0, 0]))).toBe('stream');
    expect(formatFromName('a.CSV.gz')).toBe('csv');
    expect(formatFromName('a.arrows')).toBe('arrow');
  });

  it('reads gzip inputs transparently, whatever their name, hashing the bytes as given', async () => {
    const text = 'ts,pid,tid,op,addr\n0,1,1,read,0x10\n';
    const gz = gzipSync(text);
    const t = await load('compressed.bin', gz, {}, 7);
    expect(rowsOf(t)).toHaveLength(1);
    expect(t.inputs[0]).toMatchObject({ format: 'csv', gzip: true, bytes: gz.length });
    const plain = await load('plain.csv', text);
    expect(t.inputs[0]!.sha256).not.toBe(plain.inputs[0]!.sha256);
  });

  it('reports corrupt gzip and undetectable input as input errors', async () => {
    const gz = gzipSync('ts,pid,tid,op,addr\n0,1,1,read,0x10\n'.repeat(50));
    expect((await loadError('c.gz', gz.subarray(0, gz.length - 20))).issues[0]!.code).toBe('bad-gzip');
    const unknown = await loadError('mystery', 'what is this\n');
    expect(unknown.issues[0]).toMatchObject({ code: 'unknown-format', text: 'what is this' });
  });
});
