import { describe, expect, it } from 'vitest';
import { BAD, TOO_BIG, parseAddr, parseDec, parseHex } from '../../src/ingest/numbers.js';

describe('integer parsing from text', () => {
  it('parses decimal and hex without floating point', () => {
    expect(parseDec('0')).toBe(0);
    expect(parseDec('4096')).toBe(4096);
    expect(parseHex('0x7f00deadb000')).toBe(0x7f00deadb000);
    expect(parseHex('0X1f')).toBe(31);
    expect(parseAddr('0x10')).toBe(16);
    expect(parseAddr('16')).toBe(16);
    expect(parseDec('9007199254740991')).toBe(2 ** 53 - 1);
    expect(parseDec('00000000000000000000001')).toBe(1);
  });
  it('rejects what the contract calls bad numbers', () => {
    for (const bad of ['1.5', '-3', '', '1e3', ' 1', '0x', '12a']) expect(parseDec(bad), bad).toBe(BAD);
    for (const bad of ['0X1G', '0x', '0xg', '1f']) expect(parseHex(bad), bad).toBe(BAD);
  });
  it('rejects values at or above 2^53 as too big, not as malformed', () => {
    expect(parseDec('9007199254740992')).toBe(TOO_BIG);
    expect(parseDec('123456789012345678901')).toBe(TOO_BIG);
    expect(parseHex('0x20000000000000')).toBe(TOO_BIG);
    expect(parseHex('0xffffffffffffffff')).toBe(TOO_BIG);
    expect(parseHex('0x1fffffffffffff')).toBe(2 ** 53 - 1);
  });
});
