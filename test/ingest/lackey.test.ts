import { describe, expect, it } from 'vitest';
import { load, loadError, rowsOf } from '../helpers/sources.js';

const TRACE = `==4242== Lackey, an example Valgrind tool
==4242== Command: ./a.out
I  04016e8,3
 L 04222cac,4
 M 0421d4b0,8
 S 7ff000398,8
I  ffffffffff600000,4
SB 04016e8
==4242== Counted 1 call to main()
`;

describe('lackey reader', () => {
  it('maps I/L/S/M to fetch/read/write/read+write, one thread, ts from order', async () => {
    const t = await load('x.lackey', TRACE);
    expect(rowsOf(t)).toEqual([
      { ts: 0, pid: 4242, tid: 4242, op: 'fetch', addr: 0x4016e8, len: 3, arg: 0 },
      { ts: 1, pid: 4242, tid: 4242, op: 'read', addr: 0x4222cac, len: 4, arg: 0 },
      { ts: 2, pid: 4242, tid: 4242, op: 'read', addr: 0x421d4b0, len: 8, arg: 0 },
      { ts: 3, pid: 4242, tid: 4242, op: 'write', addr: 0x421d4b0, len: 8, arg: 0 },
      { ts: 4, pid: 4242, tid: 4242, op: 'write', addr: 0x7ff000398, len: 8, arg: 0 },
    ]);
  });

  it('counts chatter, kernel addresses and unknown records', async () => {
    const c = (await load('x.lackey', TRACE)).counters.toJSON();
    expect(c).toMatchObject({ skipped_valgrind_chatter: 3, skipped_kernel_address: 1, skipped_unknown_event: 1, 'skipped.unknown_event.SB': 1, rows_read: 5 });
  });

  it('uses --pid over the chatter pid, and 1 without either', async () => {
    expect(rowsOf(await load('x.lackey', TRACE, { pid: 7 }))[0]!.pid).toBe(7);
    expect(rowsOf(await load('y', 'I  10,1\n', { format: 'lackey' }))[0]).toMatchObject({ pid: 1, tid: 1 });
  });

  it('reports malformed records with line and quoted text', async () => {
    const err = await loadError('x.lackey', `${TRACE} L 12zz,4\n L 1000\n`);
    expect(err.issues.map((i) => [i.line, i.text])).toEqual([[10, ' L 12zz,4'], [11, ' L 1000']]);
    expect(err.message).toContain('x.lackey:10: ingest: " L 12zz,4": a lackey --trace-mem line');
  });
});
