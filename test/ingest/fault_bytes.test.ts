import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { perfFaultLine, type ByteFault } from '../../src/ingest/fault_bytes.js';
import { NameEnd, parseHeader, scanEventName, type EventToken, type LineHeader } from '../../src/ingest/perf_header.js';
import { Op } from '../../src/ingest/schema.js';
import { TRACEPOINTS, faultOp, pageFaultUser, parseFault, type FaultFields } from '../../src/ingest/tracepoints.js';

/** What the text reader makes of a perf line: the page fault row's values, or undefined. */
function textFault(line: string): unknown {
  const h: LineHeader = { tid: 0, pid: -1, secs: 0, fracNs: 0, rest: 0 };
  const tok: EventToken = { start: 0, end: 0, kind: NameEnd.Other, body: 0 };
  const f: FaultFields = { addr: 0, op: 0 };
  let end = line.length;
  if (end > 0 && line.charCodeAt(end - 1) === 13) end--; // as ChunkLines hands a CRLF line over
  if (!parseHeader(line, 0, end, 'perf', h)) return undefined;
  scanEventName(line, h.rest, end, true, tok);
  if (TRACEPOINTS.get(line.slice(tok.start, tok.end)) !== pageFaultUser) return undefined;
  parseFault(line, tok.body, end, f);
  if (f.addr < 0 || f.op < 0) return undefined;
  return { tid: h.tid, pid: h.pid, secs: h.secs, fracNs: h.fracNs, addr: f.addr, op: f.op };
}

/** What the byte fast path makes of it (the line is followed by `\n` and another line). */
function byteFault(line: string): unknown {
  const b = Uint8Array.from(`${line}\nnext: line\n`, (c) => c.charCodeAt(0));
  const f: ByteFault = { tid: 0, pid: -1, secs: 0, fracNs: 0, addr: 0, code: 0, nl: 0 };
  const ok = perfFaultLine(b, 0, f);
  expect(f.nl, line).toBe(line.length);
  return ok ? { tid: f.tid, pid: f.pid, secs: f.secs, fracNs: f.fracNs, addr: f.addr, op: faultOp(f.code) } : undefined;
}

const typical = '          mtwork  1000/1001  [001]  5123.000001:  exceptions:page_fault_user: address=0x7f000c3c0bc0 ip=0x55d1c2a3b4c5 error_code=0x6';

/** The first option most of the time (as perf prints it), else any. */
const pick = (...options: string[]) => fc.oneof({ weight: 6, arbitrary: fc.constant(options[0]!) }, { weight: 1, arbitrary: fc.constantFrom(...options) });
/** perf lines field by field, each field mostly right, sometimes a variant or slightly wrong. */
const line = fc.tuple(
  pick('', ' ', '          ', '\t'), pick('mtwork', 'Web Content', 'we:ird', '', '1', 'a.5:'), pick(' ', '  ', '\t', ''),
  pick('1000/1001', '1001', '12345678901', '1/12345678901', '/1001', '1000/', 'x1'), pick(' ', '  ', ''),
  pick('[000]', '[12]', '', '[]', '[x]', '0]'), pick(' ', '  ', '\t', ''),
  pick('5123.000001', '5.5', '123456789012345.123456789', '1234567890123456.5', '5.0000000001', '.5', '5.', '5'),
  pick(':', ': ', ':  ', ':\t', '::', ' :'), pick('', '1 ', '12  ', '1\t', '1'),
  pick('exceptions:page_fault_user: ', 'exceptions:page_fault_user:\t', 'page_fault_user: ', 'exceptions:page_fault_kernel: ', 'exceptions:page_fault_user ', 'exceptions:page_fault_user:'),
  pick('', ' ', '\t'),
  pick('address=0x7f0000001000', 'address=0X7F00aBc', 'address=7f00', 'address=0x', 'address=', 'address=0x20000000000000', 'address=0x1fffffffffffff', 'address=0x000000000000000001', 'address=0xq', 'ip=0x1 address=0x10', 'xaddress=0x10'),
  pick(' ', ',', ')', '\t', '', '\r', 'z'), pick('ip=0x1 ', 'xerror_code=0x4 ', '(', '', ','),
  pick('error_code=0x6', 'error_code=0x14', 'error_code=4', 'error_code=0x', 'error_code=', 'error_code=0x20000000000000', 'error_code=0xq', 'error_code=0x6)', ''),
  pick('', ' ', ' more', '\r', '\r\r', 'z', ','),
).map((parts) => parts.join(''));

describe('perf page faults read from bytes', () => {
  it('reads a typical line, its variants and CRLF as the text reader does', () => {
    const variants = [
      typical,
      `${typical}\r`,
      typical.replace('1000/', ''),
      typical.replace('[001]  ', ''),
      typical.replace('mtwork', 'Web Content'),
      typical.replace('exceptions', '1 exceptions'),
      typical.replace('0x7f000c3c0bc0', '0X7F000C3C0BC0').replace('0x6', '6'),
      typical.replaceAll('  ', '\t'),
      typical.replace(' ip', ',ip').replace(' error', ',error'),
      typical.replace('ip=', 'xerror_code=0x4 ip='),
    ];
    for (const line of variants) {
      expect(byteFault(line), line).toEqual(textFault(line));
      expect(byteFault(line), line).toBeDefined();
    }
    expect(byteFault(typical)).toEqual({ tid: 1001, pid: 1000, secs: 5123, fracNs: 1000, addr: 0x7f000c3c0bc0, op: Op.write });
  });

  it('leaves to the text reader what it is not sure of: colons in the comm, kernel addresses, malformed fields', () => {
    for (const line of [
      typical.replace('mtwork', 'we:ird'), // the reader finds the header past the comm's colon
      typical.replace('exceptions:', ''), // a bare name, as ftrace prints it
      typical.replace('0x7f000c3c0bc0', '0xffffffff81000000'), // counted as a kernel address by the reader
      typical.replace('0x6', '0xq'),
      typical.replace(' error_code=0x6', ''),
      typical.replace('5123.000001:', '5123.000001:x'),
      'just text',
      '',
    ]) {
      expect(byteFault(line), line).toBeUndefined();
    }
  });

  it('reads any line it takes exactly as parseHeader, scanEventName and parseFault do', () => {
    let taken = 0;
    fc.assert(fc.property(line, (text) => {
      const fast = byteFault(text);
      if (fast === undefined) return;
      taken++;
      expect(fast, JSON.stringify(text)).toEqual(textFault(text));
    }), { numRuns: 30000 });
    expect(taken).toBeGreaterThan(100); // the generated lines exercise the fast path, not only its refusals
    fc.assert(fc.property(fc.nat({ max: typical.length }), fc.nat({ max: typical.length }), fc.string({ maxLength: 3 }), (at, cut, p) => {
      const line = typical.slice(0, at) + p + typical.slice(Math.max(at, cut));
      const fast = byteFault(line);
      if (fast !== undefined) expect(fast, JSON.stringify(line)).toEqual(textFault(line));
    }), { numRuns: 20000 });
  });
});
