import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faultLine, type ByteFault } from '../../src/ingest/fault_bytes.js';
import { NameEnd, parseHeader, scanEventName, type EventToken, type HeaderStyle, type LineHeader } from '../../src/ingest/perf_header.js';
import { Op } from '../../src/ingest/schema.js';
import { TRACEPOINTS, faultOp, pageFaultUser, parseFault, type FaultFields } from '../../src/ingest/tracepoints.js';

/** What the text reader makes of a line: the page fault row's values, or undefined. */
function textFault(line: string, style: HeaderStyle = 'perf'): unknown {
  const h: LineHeader = { tid: 0, pid: -1, secs: 0, fracNs: 0, rest: 0 };
  const tok: EventToken = { start: 0, end: 0, kind: NameEnd.Other, body: 0 };
  const f: FaultFields = { addr: 0, op: 0 };
  let end = line.length;
  if (end > 0 && line.charCodeAt(end - 1) === 13) end--; // as ChunkLines hands a CRLF line over
  if (!parseHeader(line, 0, end, style, h)) return undefined;
  scanEventName(line, h.rest, end, style === 'perf', tok);
  // the ftrace reader renames `sys_NAME(` and `sys_NAME ->` tokens; perf looks every token up as is
  if (style === 'ftrace' && (tok.kind === NameEnd.Paren || tok.kind === NameEnd.Arrow)) return undefined;
  if (TRACEPOINTS.get(line.slice(tok.start, tok.end)) !== pageFaultUser) return undefined;
  parseFault(line, tok.body, end, f);
  if (f.addr < 0 || f.op < 0) return undefined;
  return { tid: h.tid, pid: h.pid, secs: h.secs, fracNs: h.fracNs, addr: f.addr, op: f.op };
}

/** What the byte fast path makes of it (the line is followed by `\n` and another line). */
function byteFault(line: string, style: HeaderStyle = 'perf'): unknown {
  const b = Uint8Array.from(`${line}\nnext: line\n`, (c) => c.charCodeAt(0));
  const f: ByteFault = { tid: 0, pid: -1, secs: 0, fracNs: 0, addr: 0, code: 0, nl: 0 };
  const ok = faultLine(b, 0, style === 'ftrace', f);
  expect(f.nl, line).toBe(line.length);
  return ok ? { tid: f.tid, pid: f.pid, secs: f.secs, fracNs: f.fracNs, addr: f.addr, op: faultOp(f.code) } : undefined;
}

/** Over `runs` generated lines, the fast path agrees with the text parsers on every line it takes, and takes many. */
function checkAgainstText(lines: fc.Arbitrary<string>, style: HeaderStyle, runs: number, minTaken: number): void {
  let taken = 0;
  fc.assert(fc.property(lines, (text) => {
    const fast = byteFault(text, style);
    if (fast === undefined) return;
    taken++;
    expect(fast, JSON.stringify(text)).toEqual(textFault(text, style));
  }), { numRuns: runs });
  expect(taken).toBeGreaterThan(minTaken); // the generated lines exercise the fast path, not only its refusals
}

const typical = '          mtwork  1000/1001  [001]  5123.000001:  exceptions:page_fault_user: address=0x7f000c3c0bc0 ip=0x55d1c2a3b4c5 error_code=0x6';

/** The first option most of the time (as perf prints it), else any. */
const pick = (...options: string[]) => fc.oneof({ weight: 6, arbitrary: fc.constant(options[0]!) }, { weight: 1, arbitrary: fc.constantFrom(...options) });
/** A page fault's body and what follows the event name, field by field, mostly right. */
const faultBody = fc.tuple(
  pick('', ' ', '\t'),
  pick('address=0x7f0000001000', 'address=0X7F00aBc', 'address=7f00', 'address=0x', 'address=', 'address=0x20000000000000', 'address=0x1fffffffffffff', 'address=0x000000000000000001', 'address=0xq', 'ip=0x1 address=0x10', 'xaddress=0x10'),
  pick(' ', ',', ')', '\t', '', '\r', 'z'), pick('ip=0x1 ', 'xerror_code=0x4 ', '(', '', ','),
  pick('error_code=0x6', 'error_code=0x14', 'error_code=4', 'error_code=0x', 'error_code=', 'error_code=0x20000000000000', 'error_code=0xq', 'error_code=0x6)', ''),
  pick('', ' ', ' more', '\r', '\r\r', 'z', ','),
).map((parts) => parts.join(''));

/** Timestamps, right and wrong. */
const time = pick('5123.000001', '5.5', '123456789012345.123456789', '1234567890123456.5', '5.0000000001', '.5', '5.', '5');

/** perf lines field by field, each field mostly right, sometimes a variant or slightly wrong. */
const perfLine = fc.tuple(
  pick('', ' ', '          ', '\t'), pick('mtwork', 'Web Content', 'we:ird', '', '1', 'a.5:'), pick(' ', '  ', '\t', ''),
  pick('1000/1001', '1001', '12345678901', '1/12345678901', '/1001', '1000/', 'x1'), pick(' ', '  ', ''),
  pick('[000]', '[12]', '', '[]', '[x]', '0]'), pick(' ', '  ', '\t', ''), time,
  pick(':', ': ', ':  ', ':\t', '::', ' :'), pick('', '1 ', '12  ', '1\t', '1'),
  pick('exceptions:page_fault_user: ', 'exceptions:page_fault_user:\t', 'page_fault_user: ', 'exceptions:page_fault_kernel: ', 'exceptions:page_fault_user ', 'exceptions:page_fault_user:'),
  faultBody,
).map((parts) => parts.join(''));

const typicalFtrace = '          mtwork-30902 (  30900) [000] .....  4561.728650: page_fault_user: address=0x7f1c5a800000 ip=0x55c4a1b0 error_code=0x6';

/** ftrace and trace-cmd lines field by field, as `perfLine`. */
const ftraceLine = fc.tuple(
  pick('', ' ', '          ', '\t'), pick('mtwork', 'Web Content', 'we:ird', 'a-b', '', '5.5:'), pick('-', '', ' -'),
  pick('30902', '12345678901', '', 'x', '1'), pick(' ', '  ', '\t', ''),
  pick('', '(  30900)', '(30900)', '(-------)', '(12345678901)', '(1 2)', '(', ')', '()'), pick(' ', '  ', ''),
  pick('[000]', '[12]', '', '[]', '[x]', '0]'), pick(' ', '  ', '\t', ''),
  pick('', '.....', 'd..1.', 'd ..', '[1]', ':'), pick(' ', '  ', ''), time, pick(': ', ':', ':\t', '::', ' :'),
  pick('page_fault_user: ', 'page_fault_user:\t', 'exceptions:page_fault_user: ', 'sys_mmap(', 'page_fault_user(', 'page_fault_user ', 'page_fault_user:', '1 page_fault_user: '),
  faultBody,
).map((parts) => parts.join(''));

describe('perf and ftrace page faults read from bytes', () => {
  it('reads a typical line, its variants and CRLF as the text reader does', () => {
    const variants = [
      typical,
      `${typical}\r`,
      typical.replace('1000/', ''),
      typical.replace('[001]  ', ''),
      typical.replace('mtwork', 'Web Content'),
      typical.replace('exceptions', '1 exceptions'),
      typical.replace('0x7f000c3c0bc0', '0X7F000C3C0BC0').replace('0x6', '0X6'),
      typical.replaceAll('  ', '\t'),
    ];
    for (const line of variants) {
      expect(byteFault(line), line).toEqual(textFault(line));
      expect(byteFault(line), line).toBeDefined();
    }
    for (const line of [typicalFtrace, typicalFtrace.replace('(  30900) ', ''), typicalFtrace.replace('.....  ', ''), typicalFtrace.replace('30900', '-----')]) {
      expect(byteFault(line, 'ftrace'), line).toEqual(textFault(line, 'ftrace'));
      expect(byteFault(line, 'ftrace'), line).toBeDefined();
    }
    expect(byteFault(typicalFtrace, 'ftrace')).toEqual({ tid: 30902, pid: 30900, secs: 4561, fracNs: 728650000, addr: 0x7f1c5a800000, op: Op.write });
    expect(byteFault(typical)).toEqual({ tid: 1001, pid: 1000, secs: 5123, fracNs: 1000, addr: 0x7f000c3c0bc0, op: Op.write });
  });

  it('leaves to the text reader what it is not sure of: colons in the comm, kernel addresses, malformed fields', () => {
    for (const line of [
      typical.replace('mtwork', 'we:ird'), // the reader finds the header past the comm's colon
      typical.replace('exceptions:', ''), // a bare name, as ftrace prints it
      typical.replace('0x7f000c3c0bc0', '0xffffffff81000000'), // counted as a kernel address by the reader
      typical.replace('0x6', '0xq'),
      typical.replace(' error_code=0x6', ''),
      // not the kernel's `address=%ps ip=%ps error_code=0x%lx`: malformed for the text reader too
      typical.replace('0x6', '6'),
      typical.replace(' ip', ',ip').replace(' error', ',error'),
      typical.replace('ip=', 'xerror_code=0x4 ip='),
      `${typical} trailing text`,
      typical.replace('address=0x7f000c3c0bc0', 'address=7f000c3c0bc0'),
      typical.replace('5123.000001:', '5123.000001:x'),
      'just text',
      '',
    ]) {
      expect(byteFault(line), line).toBeUndefined();
    }
  });

  it('reads any perf or ftrace line it takes exactly as parseHeader, scanEventName and parseFault do', () => {
    checkAgainstText(perfLine, 'perf', 30000, 100);
    checkAgainstText(ftraceLine, 'ftrace', 30000, 100);
    fc.assert(fc.property(fc.nat({ max: typical.length }), fc.nat({ max: typical.length }), fc.string({ maxLength: 3 }), (at, cut, p) => {
      const line = typical.slice(0, at) + p + typical.slice(Math.max(at, cut));
      const fast = byteFault(line);
      if (fast !== undefined) expect(fast, JSON.stringify(line)).toEqual(textFault(line));
    }), { numRuns: 20000 });
  });
});
