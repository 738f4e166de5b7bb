import { describe, expect, it } from 'vitest';
import { createFtraceReader, sniffFtrace } from '../../src/ingest/ftrace.js';
import { sniffPerf } from '../../src/ingest/perf.js';
import { MMAP_FILE, MMAP_RDONLY, OBS_SUCCESS, OBS_WRITE } from '../../src/ingest/schema.js';
import { readText } from '../helpers/sink.js';

const read = (text: string, pid?: number, chunk?: number) => readText(createFtraceReader, text, pid === undefined ? {} : { pid }, chunk);
const lines = (...ls: string[]): string => `${ls.join('\n')}\n`;

const HEADER = [
  '# tracer: nop',
  '#',
  '# entries-in-buffer/entries-written: 822/822   #P:2',
  '#',
  '#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION',
  '#              | |         |   |||||     |         |',
];

describe('raw ftrace text', () => {
  it('reads COMM-TID [CPU] FLAGS TS lines, comm with spaces and dashes, syscalls as sys_NAME(...) and sys_NAME -> ret', () => {
    const ctx = read(lines(
      ...HEADER,
      '     Web Content-9246    [000] .....  3590.759087: mmap_lock_start_locking: mm=00000000f15af92e memcg_id=3005 write=true',
      '     Web Content-9246    [000] .....  3590.759093: mmap_lock_acquire_returned: mm=00000000f15af92e memcg_id=3005 write=true success=true',
      '     Web Content-9246    [000] d....  3590.759279: page_fault_user: address=0x7f86a2d68b70 ip=0x7f86a2d68b70 error_code=0x14',
      '     Web Content-9246    [000] .....  3590.759366: sys_mmap(addr: 0, len: 0x2000, prot: 3, flags: 0x22, fd: 0xffffffff, off: 0)',
      '     Web Content-9246    [000] .....  3590.759376: sys_mmap -> 0x7f86a2d44000',
      '  my-app-1-9247    [001] .....  3590.759398: sys_mmap(addr: 0, len: 0x97e7, prot: 1, flags: 2, fd: 3, off: 0)',
      '  my-app-1-9247    [001] .....  3590.759404: sys_mmap -> 0x7f86a2d3a000',
      '     Web Content-9246    [000] .....  3590.759567: sys_mprotect(start: 0x7f86a2d27000, len: 0x4000, prot: 1)',
      '     Web Content-9246    [000] .....  3590.759616: sys_munmap(addr: 0x7f86a2d3a000, len: 0x97e7)',
      '     Web Content-9246    [000] .....  3590.760358: sys_madvise(start: 0x7f86a1b33000, len_in: 0x8000, behavior: 4)',
      '     Web Content-9246    [000] .....  3590.760395: sys_madvise(start: 0x7f86a1b43000, len_in: 0x8000, behavior: 0x15)',
    ), 9246);
    expect(ctx.issues.errors).toEqual([]);
    expect(ctx.events.rows.map((r) => [r.ts, r.pid, r.tid, r.op, r.addr, r.len, r.arg])).toEqual([
      [0, 9246, 9246, 'obs_mmap_lock_start', 0, 0, OBS_WRITE],
      [6000, 9246, 9246, 'obs_mmap_lock_acquired', 0, 0, OBS_WRITE | OBS_SUCCESS],
      [192000, 9246, 9246, 'fetch', 0x7f86a2d68b70, 1, 0],
      [279000, 9246, 9246, 'mmap', 0x7f86a2d44000, 0x2000, 0],
      [311000, 9246, 9247, 'mmap', 0x7f86a2d3a000, 0x97e7, MMAP_RDONLY | MMAP_FILE | (3 << 8)],
      [480000, 9246, 9246, 'mprotect', 0x7f86a2d27000, 0x4000, 1],
      [529000, 9246, 9246, 'munmap', 0x7f86a2d3a000, 0x97e7, 0],
      [1271000, 9246, 9246, 'discard', 0x7f86a1b33000, 0x8000, 0],
      [1308000, 9246, 9246, 'swapout', 0x7f86a1b43000, 0x8000, 0],
    ]);
    expect(ctx.events.objects).toEqual(['00000000f15af92e']);
    expect(ctx.counters.get('skipped_blank')).toBe(HEADER.length);
    expect(ctx.events.violations).toEqual([]);
  });

  it('reads syscall arguments printed in hex without 0x (older kernels)', () => {
    const ctx = read(lines(
      '  mtwork-10  [000] ....  10.000000: sys_mmap(addr: 0, len: 2000, prot: 3, flags: 22, fd: ffffffffffffffff, off: 0)',
      '  mtwork-10  [000] ....  10.000001: sys_mmap -> 0x7f0000000000',
      '  mtwork-10  [000] ....  10.000002: sys_munmap(addr: 7f0000000000, len: 1000)',
    ), 10);
    expect(ctx.events.rows.map((r) => [r.op, r.addr, r.len, r.arg])).toEqual([
      ['mmap', 0x7f0000000000, 0x2000, 0],
      ['munmap', 0x7f0000000000, 0x1000, 0],
    ]);
  });

  it('takes the pid from the record-tgid column, and none from (-------)', () => {
    const ctx = read(lines(
      '            bash-9806    (   9800) [001] d....  3630.437233: page_fault_user: address=0x5590e6e67580 ip=0x5590d9210343 error_code=0x7',
      '            bash-9807    (-------) [001] d....  3630.437236: page_fault_user: address=0x5590e6e86244 ip=0x5590d91debb2 error_code=0x7',
    ));
    expect(ctx.events.rows.map((r) => [r.pid, r.tid])).toEqual([[9800, 9806], [9807, 9807]]);
    expect(ctx.counters.get('pid_grouping_assumed')).toBe(1);
  });

  it('groups threads by hashed mm= pointers, forks from task_newtask flags, exits from sched_process_exit', () => {
    const ctx = read(lines(
      '          mtwork-9246    [001] .....  1.000000: mmap_lock_start_locking: mm=00000000f15af92e memcg_id=3005 write=false',
      '          mtwork-9246    [001] .....  1.000001: sys_clone3(uargs: 0x7ffc6e2418c0, size: 0x58)',
      '          mtwork-9246    [001] .....  1.000002: task_newtask: pid=9247 comm=mtwork clone_flags=3d0f00 oom_score_adj=0',
      '          mtwork-9246    [001] .....  1.000003: sched_process_fork: comm=mtwork pid=9246 child_comm=mtwork child_pid=9247',
      '          mtwork-9246    [001] .....  1.000004: sys_clone3 -> 0x241f',
      '          mtwork-9247    [000] .....  1.000005: sys_clone3 -> 0x0',
      '          mtwork-9247    [000] d....  1.000006: page_fault_user: address=0x1000 ip=0x1 error_code=0x6',
      '          mtwork-9246    [001] .....  1.000007: sys_clone(clone_flags: 0x1200011, newsp: 0, parent_tidptr: 0, child_tidptr: 0x7f86a2b55a10, tls: 0)',
      '          mtwork-9246    [001] .....  1.000008: task_newtask: pid=9251 comm=mtwork clone_flags=1200000 oom_score_adj=0',
      '          mtwork-9246    [001] .....  1.000009: sched_process_fork: comm=mtwork pid=9246 child_comm=mtwork child_pid=9251',
      '          mtwork-9246    [001] .....  1.000010: sys_clone -> 0x2423',
      '          mtwork-9251    [000] d....  1.000011: page_fault_user: address=0x2000 ip=0x1 error_code=0x6',
      '          mtwork-9251    [000] .....  1.000012: sched_process_exit: comm=mtwork pid=9251 prio=120 group_dead=true',
      '          mtwork-9247    [000] .....  1.000013: sched_process_exit: comm=mtwork pid=9247 prio=120 group_dead=false',
    ));
    expect(ctx.events.rows.map((r) => [r.ts, r.pid, r.tid, r.op, r.arg])).toEqual([
      [0, 9246, 9246, 'obs_mmap_lock_start', 0],
      [6000, 9246, 9247, 'write', 0],
      [8000, 9246, 9246, 'fork', 9251],
      [11000, 9251, 9251, 'write', 0],
      [12000, 9251, 9251, 'exit', 0],
      [13000, 9246, 9247, 'exit', 0],
    ]);
    expect(ctx.counters.get('clone_flags_assumed')).toBe(0);
    expect(ctx.issues.warnings.map((w) => w.code)).toEqual(['pid-grouping-inferred']);
    expect(ctx.events.violations).toEqual([]);
  });

  it('counts lost events with a warning, skips stack lines, reports foreign lines', () => {
    const ctx = read(lines(
      '          mtwork-10  [000] d....  1.000000: page_fault_user: address=0x1000 ip=0x1 error_code=0x6',
      ' => exc_page_fault',
      'CPU:1 [LOST 123 EVENTS]',
      '          mtwork-10  [000] .....  1.000001: function_call <-caller',
      'garbage here',
    ), 10);
    expect(ctx.counters.get('lost_events')).toBe(123);
    expect(ctx.issues.warnings.map((w) => w.code)).toContain('lost-events');
    expect(ctx.counters.get('skipped_stack_line')).toBe(1);
    expect(ctx.counters.get('skipped.unknown_event.function_call')).toBe(1);
    expect(ctx.issues.errors.map((e) => [e.code, e.line])).toEqual([['bad-line', 5]]);
    expect(ctx.events.rows.length).toBe(1);
  });
});

describe('trace-cmd report text', () => {
  it('reads bare event names, no flags column, a buffer-name prefix and the cpus= header', () => {
    const ctx = read(lines(
      'cpus=2',
      'mmreplay:           mtwork-9567  [001]  3609.840073: mmap_lock_start_locking: mm=0xffff888100075dc0 memcg_id=3005 write=true',
      'mmreplay:           mtwork-9567  [001]  3609.840282: page_fault_user:      address=0x7f5ed38adb70 ip=0x7f5ed38adb70 error_code=0x14',
      'mmreplay:           mtwork-9567  [001]  3609.840383: sys_enter_mmap:       addr: 0x00000000, len: 0x00002000, prot: 0x00000003, flags: 0x00000022, fd: 0xffffffff, off: 0x00000000',
      'mmreplay:           mtwork-9567  [001]  3609.840389: sys_exit_mmap:        0x7f5ed3889000',
      '          mtwork-9567  [001]  3609.840390: sys_enter_madvise:    start: 0x7f5ed3889000, len_in: 0x00002000, behavior: 0x00000004',
    ));
    expect(ctx.issues.errors).toEqual([]);
    expect(ctx.events.rows.map((r) => [r.ts, r.pid, r.tid, r.op, r.addr])).toEqual([
      [0, 9567, 9567, 'obs_mmap_lock_start', 0],
      [209000, 9567, 9567, 'fetch', 0x7f5ed38adb70],
      [310000, 9567, 9567, 'mmap', 0x7f5ed3889000],
      [317000, 9567, 9567, 'discard', 0x7f5ed3889000],
    ]);
    expect(ctx.counters.get('skipped_blank')).toBe(1);
  });

  it('is sniffed as ftrace, not perf; raw ftrace too', () => {
    const tc = lines('cpus=2', '          mtwork-9567  [001]  3609.840073: page_fault_user: address=0x1 ip=0x1 error_code=0x6');
    const raw = lines(...HEADER, '          mtwork-9246    [000] d....  3590.759279: page_fault_user: address=0x7f86a2d68b70 ip=0x7f86a2d68b70 error_code=0x14');
    const headerless = lines('          mtwork-9246    [000] d....  3590.759279: page_fault_user: address=0x7f86a2d68b70 ip=0x7f86a2d68b70 error_code=0x14');
    for (const t of [tc, raw, headerless]) {
      expect(sniffFtrace(t)).toBe(true);
      expect(sniffPerf(t)).toBe(false);
    }
  });
});
