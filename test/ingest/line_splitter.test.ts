import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/ingest/reader.js';

function split(chunks: string[]): [string, number][] {
  const out: [string, number][] = [];
  const s = new LineSplitter((l, n) => out.push([l, n]));
  for (const c of chunks) s.push(c);
  s.end();
  return out;
}

describe('LineSplitter', () => {
  const text = 'alpha\r\nbeta\n\ngamma delta\r\nlast';
  const expected: [string, number][] = [['alpha', 1], ['beta', 2], ['', 3], ['gamma delta', 4], ['last', 5]];

  it('splits \\n and \\r\\n lines with 1-based numbers and keeps a final line without newline', () => {
    expect(split([text])).toEqual(expected);
  });

  it('gives the same lines for every way of cutting the text into two or three chunks', () => {
    for (let i = 0; i <= text.length; i++) {
      expect(split([text.slice(0, i), text.slice(i)]), `cut at ${i}`).toEqual(expected);
      for (let j = i; j <= text.length; j += 3) {
        expect(split([text.slice(0, i), text.slice(i, j), text.slice(j)]), `cuts at ${i},${j}`).toEqual(expected);
      }
    }
  });

  it('joins a line spread over many chunks without a newline in between', () => {
    expect(split(['a', 'b', 'c', '\n', 'd'])).toEqual([['abc', 1], ['d', 2]]);
  });
});
