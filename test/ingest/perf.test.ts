import { describe, expect, it } from 'vitest';
import { createPerfReader, sniffPerf } from '../../src/ingest/perf.js';
import { sniffFtrace } from '../../src/ingest/ftrace.js';
import { MMAP_FILE, MMAP_RDONLY, MMAP_SHARED, OBS_SUCCESS, OBS_WRITE } from '../../src/ingest/schema.js';
import { InputError } from '../../src/util/errors.js';
import { readText } from '../helpers/sink.js';
import { runCaptured } from '../helpers/cli.js';
import { tempDir } from '../helpers/sources.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const read = (text: string, pid?: number, chunk?: number) => readText(createPerfReader, text, pid === undefined ? {} : { pid }, chunk);
const lines = (...ls: string[]): string => `${ls.join('\n')}\n`;

/** `comm pid/tid [cpu] time: event: body` as perf script prints tracepoints with -F comm,pid,tid,cpu,time,event,trace. */
const tp = (tid: number, time: string, event: string, body: string, pid = 100, comm = 'mtwork'): string =>
  `${comm.padStart(16)} ${pid}/${tid} [001] ${time}: ${event.padStart(36)}: ${body}`;

describe('perf script software page-fault samples', () => {
  const sample = (comm: string, pidTid: string, time: string, addr: string): string =>
    `${comm.padStart(16)} ${pidTid}   ${time}: page-faults:     ${addr} [unknown]     7fddb49ae7ad _dl_start`;

  it('makes one read per sample at addr, comm with spaces, exact ns relative to the first event', () => {
    const ctx = read(lines(
      sample('Web Content', '4242/4242', '8000000.123456', '7fddb49c6e06'),
      sample('Web Content', '4242/4250', '8000000.123457', '55787d786090'),
      `          mtwork  4242/4250   8000001.000000: page-faults:     ffffffff8177539a elf_load ffffffff8177539a elf_load`,
    ));
    expect(ctx.issues.errors).toEqual([]);
    expect(ctx.events.rows.map((r) => [r.ts, r.pid, r.tid, r.op, r.addr, r.len])).toEqual([
      [0, 4242, 4242, 'read', 0x7fddb49c6e06, 1],
      [1000, 4242, 4250, 'read', 0x55787d786090, 1],
    ]);
    expect(ctx.counters.get('skipped_kernel_address')).toBe(1);
    expect(ctx.events.violations).toEqual([]);
  });

  it('without addr in the fields throws an InputError naming the -F to use', () => {
    const text = lines('          mtwork  8894  3561.319096:          1 page-faults:  ffffffff8177539a elf_load+0x28a ([kernel.kallsyms])');
    expect(() => read(text)).toThrow(InputError);
    expect(() => read(text)).toThrow(/perf script -F comm,pid,tid,time,event,addr,ip,sym/);
  });

  it('CLI: ingest of a perf trace without addr exits 2 with the -F message', async () => {
    const dir = tempDir();
    const file = join(dir, 'noaddr.perf.txt');
    writeFileSync(file, lines(
      '          mtwork  8894  3561.319096:          1 page-faults:  ffffffff8177539a elf_load+0x28a ([kernel.kallsyms])',
      '          mtwork  8894  3561.319135:          1 page-faults:  7fddb49adb70 _start+0x0 (/usr/lib/ld.so)',
    ));
    const run = await runCaptured(['ingest', file, '-o', join(dir, 'out.arrow')], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('perf script -F comm,pid,tid,time,event,addr,ip,sym');
  });
});

describe('perf script tracepoints', () => {
  it('maps page_fault_user error codes to read, write and fetch', () => {
    const ctx = read(lines(
      tp(101, '10.000001', 'exceptions:page_fault_user', 'address=0x7f0000001000 ip=0x55550000 error_code=0x4'),
      tp(101, '10.000002', 'exceptions:page_fault_user', 'address=0x7f0000002000 ip=0x55550000 error_code=0x6'),
      tp(101, '10.000003', 'exceptions:page_fault_user', 'address=0x7f0000003000 ip=0x7f0000003000 error_code=0x14'),
      tp(101, '10.000004', 'exceptions:page_fault_user', 'address=0x7f0000004000 ip=0x55550000 error_code=0x7'),
    ));
    expect(ctx.events.rows.map((r) => [r.ts, r.op, r.addr])).toEqual([
      [0, 'read', 0x7f0000001000], [1000, 'write', 0x7f0000002000], [2000, 'fetch', 0x7f0000003000], [3000, 'write', 0x7f0000004000],
    ]);
  });

  it('reads bare tids with and without [cpu], 9-digit fractions, comm with spaces and digits', () => {
    const ctx = read(lines(
      '   Web Content 2  4243 [003]   100.000000001: exceptions:page_fault_user: address=0x1000 ip=0x1 error_code=0x6',
      '   Web Content 2  4243   100.000000011: exceptions:page_fault_user: address=0x2000 ip=0x1 error_code=0x4',
    ), 77);
    expect(ctx.events.rows.map((r) => [r.ts, r.pid, r.tid, r.op, r.addr])).toEqual([
      [0, 77, 4243, 'write', 0x1000], [10, 77, 4243, 'read', 0x2000],
    ]);
  });

  it('pairs sys_enter_mmap with sys_exit_mmap per thread and maps flags to arg bits', () => {
    const ctx = read(lines(
      tp(101, '1.000000', 'syscalls:sys_enter_mmap', 'addr: 0x00000000, len: 0x00002000, prot: 0x00000003, flags: 0x00000022, fd: 0xffffffff, off: 0x00000000'),
      tp(102, '1.000001', 'syscalls:sys_enter_mmap', 'addr: 0x00000000, len: 0x00008000, prot: 0x00000003, flags: 0x00000001, fd: 0x00000005, off: 0x00000000'),
      tp(102, '1.000002', 'syscalls:sys_exit_mmap', '0x7f0000200000'),
      tp(101, '1.000003', 'syscalls:sys_exit_mmap', '0x7f0000100000'),
      tp(101, '1.000004', 'syscalls:sys_enter_mmap', 'addr: 0x00000000, len: 0x000097e7, prot: 0x00000001, flags: 0x00000002, fd: 0x00000003, off: 0x00000000'),
      tp(101, '1.000005', 'syscalls:sys_exit_mmap', '0x7f0000300000'),
      tp(101, '1.000006', 'syscalls:sys_enter_mmap', 'addr: 0x00000000, len: 0x00001000, prot: 0x00000003, flags: 0x00000022, fd: 0xffffffffffffffff, off: 0x00000000'),
      tp(101, '1.000007', 'syscalls:sys_exit_mmap', '0xfffffffffffffff4'),
      tp(103, '1.000008', 'syscalls:sys_exit_mmap', '0x7f0000400000'),
    ));
    expect(ctx.events.ops('mmap').map((r) => [r.ts, r.tid, r.addr, r.len, r.arg])).toEqual([
      [0, 101, 0x7f0000100000, 0x2000, 0],
      [1000, 102, 0x7f0000200000, 0x8000, MMAP_SHARED | MMAP_FILE | (5 << 8)],
      [4000, 101, 0x7f0000300000, 0x97e7, MMAP_RDONLY | MMAP_FILE | (3 << 8)],
    ]);
    expect(ctx.counters.get('skipped_failed_syscall')).toBe(1);
    expect(ctx.counters.get('skipped_unpaired_exit')).toBe(1);
    expect(ctx.events.violations).toEqual([]);
  });

  it('keeps the mmap row before the mmap_lock observations taken inside the syscall', () => {
    const ctx = read(lines(
      tp(101, '1.000000', 'syscalls:sys_enter_mmap', 'addr: 0x00000000, len: 0x00002000, prot: 0x00000003, flags: 0x00000022, fd: 0xffffffff, off: 0x00000000'),
      tp(101, '1.000001', 'mmap_lock:mmap_lock_start_locking', 'mm=0xffff888100075140 memcg_id=3005 write=true'),
      tp(101, '1.000002', 'mmap_lock:mmap_lock_acquire_returned', 'mm=0xffff888100075140 memcg_id=3005 write=true success=true'),
      tp(101, '1.000003', 'mmap_lock:mmap_lock_released', 'mm=0xffff888100075140 memcg_id=3005 write=false'),
      tp(101, '1.000004', 'syscalls:sys_exit_mmap', '0x7f0000100000'),
    ));
    expect(ctx.events.rows.map((r) => [r.ts, r.op, r.addr, r.arg])).toEqual([
      [0, 'mmap', 0x7f0000100000, 0],
      [1000, 'obs_mmap_lock_start', 0, OBS_WRITE],
      [2000, 'obs_mmap_lock_acquired', 0, OBS_WRITE | OBS_SUCCESS],
      [3000, 'obs_mmap_lock_released', 0, 0],
    ]);
    expect(ctx.events.objects).toEqual(['0xffff888100075140']);
    expect(ctx.events.violations).toEqual([]);
  });

  it('maps munmap, mprotect prot and madvise advice; skips other advice and move_pages with counts', () => {
    const ctx = read(lines(
      tp(101, '2.000000', 'syscalls:sys_enter_munmap', 'addr: 0x7f0000100000, len: 0x00002000'),
      tp(101, '2.000001', 'syscalls:sys_enter_mprotect', 'start: 0x7f0000100000, len: 0x00001000, prot: 0x00000001'),
      tp(101, '2.000002', 'syscalls:sys_enter_mprotect', 'start: 0x7f0000100000, len: 0x00001000, prot: 0x00000003'),
      tp(101, '2.000003', 'syscalls:sys_enter_mprotect', 'start: 0x7f0000100000, len: 0x00001000, prot: 0x00000000'),
      tp(101, '2.000004', 'syscalls:sys_enter_mprotect', 'start: 0x7f0000100000, len: 0x00001000, prot: 0x00000005'),
      tp(101, '2.000005', 'syscalls:sys_enter_madvise', 'start: 0x7f0000100000, len_in: 0x00008000, behavior: 0x00000004'),
      tp(101, '2.000006', 'syscalls:sys_enter_madvise', 'start: 0x7f0000110000, len_in: 0x00008000, behavior: 0x00000015'),
      tp(101, '2.000007', 'syscalls:sys_enter_madvise', 'start: 0x7f0000110000, len_in: 0x00008000, behavior: 0x0000000e'),
      tp(101, '2.000008', 'syscalls:sys_enter_move_pages', 'pid: 0x00000000, nr_pages: 0x00000004, pages: 0x7ffd0000, nodes: 0x7ffd1000, status: 0x7ffd2000, flags: 0x00000002'),
    ));
    expect(ctx.events.rows.map((r) => [r.op, r.addr, r.len, r.arg])).toEqual([
      ['munmap', 0x7f0000100000, 0x2000, 0],
      ['mprotect', 0x7f0000100000, 0x1000, 1],
      ['mprotect', 0x7f0000100000, 0x1000, 3],
      ['mprotect', 0x7f0000100000, 0x1000, 0],
      ['mprotect', 0x7f0000100000, 0x1000, 1],
      ['discard', 0x7f0000100000, 0x8000, 0],
      ['swapout', 0x7f0000110000, 0x8000, 0],
    ]);
    expect(ctx.counters.get('skipped_madvise_other')).toBe(1);
    expect(ctx.counters.get('skipped_move_pages')).toBe(1);
    expect(ctx.issues.warnings.map((w) => w.code)).toContain('move-pages');
  });

  it('keeps lock contention and migration observations with their fields', () => {
    const ctx = read(lines(
      tp(101, '3.000000', 'lock:contention_begin', '0xffff888627c2ba80 (flags=SPIN|WRITE)'),
      tp(101, '3.000001', 'lock:contention_end', '0xffff888627c2ba80 (ret=-4)'),
      tp(101, '3.000002', 'migrate:mm_migrate_pages', 'nr_succeeded=32 nr_failed=2 nr_thp_succeeded=0 nr_thp_failed=0 nr_thp_split=0 nr_split=0 mode=MIGRATE_SYNC reason=compaction'),
    ));
    expect(ctx.events.rows.map((r) => [r.op, r.addr, r.len, r.arg])).toEqual([
      ['obs_contention_begin', 0, 0, 1 | 4],
      ['obs_contention_end', 0, 0, 4],
      ['obs_migrate_pages', 1, 2, 32],
    ]);
    expect(ctx.events.objects).toEqual(['0xffff888627c2ba80', 'reason=compaction']);
  });

  it('counts unknown events per name and skips them', () => {
    const ctx = read(lines(
      tp(101, '4.000000', 'sched:sched_switch', 'prev_comm=mtwork prev_pid=101 ==> next_comm=swapper next_pid=0'),
      tp(101, '4.000001', 'sched:sched_switch', 'prev_comm=mtwork prev_pid=101 ==> next_comm=swapper next_pid=0'),
      tp(101, '4.000002', 'kmem:mm_page_alloc', 'page=0x1 pfn=0x1 order=0'),
      tp(101, '4.000003', 'exceptions:page_fault_user', 'address=0x1000 ip=0x1 error_code=0x6'),
    ));
    expect(ctx.counters.get('skipped.unknown_event.sched:sched_switch')).toBe(2);
    expect(ctx.counters.get('skipped.unknown_event.kmem:mm_page_alloc')).toBe(1);
    expect(ctx.counters.get('skipped_unknown_event')).toBe(3);
    expect(ctx.events.rows.map((r) => [r.ts, r.op])).toEqual([[3000, 'write']]);
  });

  it('reports a malformed line with its number and the expected form, and keeps going', () => {
    const ctx = read(lines(
      tp(101, '5.000000', 'exceptions:page_fault_user', 'address=0x1000 ip=0x1 error_code=0x6'),
      'this is not perf output',
      tp(101, '5.000001', 'exceptions:page_fault_user', 'address=zz ip=0x1 error_code=0x6'),
      '\t    7fddb49ae7ad _dl_start+0x1d (/usr/lib/ld.so)',
      tp(101, '5.000002', 'exceptions:page_fault_user', 'address=0x2000 ip=0x1 error_code=0x6'),
    ));
    expect(ctx.issues.errors.map((e) => [e.code, e.line])).toEqual([['bad-line', 2], ['bad-field', 3]]);
    expect(ctx.issues.errors[0]!.expected).toContain('COMM [PID/]TID [CPU] SECS.USECS: EVENT: FIELDS');
    expect(ctx.counters.get('skipped_stack_line')).toBe(1);
    expect(ctx.events.rows.length).toBe(2);
  });

  it('gives the same rows whatever the chunk boundaries', () => {
    const text = lines(
      tp(101, '1.000000', 'syscalls:sys_enter_mmap', 'addr: 0x00000000, len: 0x00002000, prot: 0x00000003, flags: 0x00000022, fd: 0xffffffff, off: 0x00000000'),
      tp(101, '1.000004', 'syscalls:sys_exit_mmap', '0x7f0000100000'),
      tp(102, '1.000005', 'exceptions:page_fault_user', 'address=0x7f0000100000 ip=0x1 error_code=0x6'),
    );
    const whole = read(text).events.rows;
    expect(whole.length).toBe(2);
    for (const chunk of [1, 7, 50]) expect(read(text.replace(/\n/g, '\r\n'), undefined, chunk).events.rows).toEqual(whole);
  });

  it('sniffs perf script text and not ftrace text', () => {
    const perfText = lines(tp(101, '1.000000', 'exceptions:page_fault_user', 'address=0x1000 ip=0x1 error_code=0x6'));
    const ftraceText = lines('          mtwork-9246    [000] d....  3590.759279: page_fault_user: address=0x7f86a2d68b70 ip=0x7f86a2d68b70 error_code=0x14');
    expect(sniffPerf(perfText)).toBe(true);
    expect(sniffPerf(ftraceText)).toBe(false);
    expect(sniffFtrace(perfText)).toBe(false);
    expect(sniffPerf('ts,pid,tid,op,addr,len,arg\n0,1,1,read,0x1000,,\n')).toBe(false);
  });
});

describe('perf script processes and threads', () => {
  it('makes a CLONE_VM child a thread of its parent and a plain clone a fork', () => {
    const ctx = read(lines(
      tp(100, '1.000000', 'syscalls:sys_enter_clone', 'clone_flags: 0x003d0f00, newsp: 0x7f00, parent_tidptr: 0x0, child_tidptr: 0x0, tls: 0x0'),
      tp(100, '1.000001', 'syscalls:sys_exit_clone', '0x00000065'),
      tp(101, '1.000002', 'exceptions:page_fault_user', 'address=0x1000 ip=0x1 error_code=0x6', 100),
      tp(100, '1.000003', 'syscalls:sys_enter_clone', 'clone_flags: 0x01200011, newsp: 0x0, parent_tidptr: 0x0, child_tidptr: 0x7f00, tls: 0x0'),
      tp(100, '1.000004', 'syscalls:sys_exit_clone', '0x00000066'),
      tp(102, '1.000005', 'exceptions:page_fault_user', 'address=0x1000 ip=0x1 error_code=0x6', 102),
      tp(102, '1.000006', 'sched:sched_process_exit', 'comm=mtwork pid=102 prio=120 group_dead=true', 102),
    ));
    expect(ctx.events.rows.map((r) => [r.pid, r.tid, r.op, r.arg])).toEqual([
      [100, 101, 'write', 0],
      [100, 100, 'fork', 102],
      [102, 102, 'write', 0],
      [102, 102, 'exit', 0],
    ]);
    expect(ctx.events.violations).toEqual([]);
  });

  it('writes the fork row before the child\'s rows when the child runs before the parent returns', () => {
    // tid-only lines: the child (301) faults before the parent's sys_exit_clone names it
    const t = (tid: number, time: string, event: string, body: string): string => `          mtwork  ${tid} [000] ${time}: ${event}: ${body}`;
    const ctx = read(lines(
      t(300, '1.000000', 'mmap_lock:mmap_lock_start_locking', 'mm=0xffff000000000001 memcg_id=1 write=false'),
      t(300, '1.000001', 'syscalls:sys_enter_clone', 'clone_flags: 0x01200011, newsp: 0x0, parent_tidptr: 0x0, child_tidptr: 0x7f00, tls: 0x0'),
      t(300, '1.000002', 'mmap_lock:mmap_lock_start_locking', 'mm=0xffff000000000002 memcg_id=1 write=true'),
      t(301, '1.000003', 'exceptions:page_fault_user', 'address=0x1000 ip=0x1 error_code=0x7'),
      t(301, '1.000004', 'mmap_lock:mmap_lock_start_locking', 'mm=0xffff000000000002 memcg_id=1 write=false'),
      t(300, '1.000005', 'syscalls:sys_exit_clone', '0x12d'),
      t(300, '1.000006', 'exceptions:page_fault_user', 'address=0x2000 ip=0x1 error_code=0x6'),
    ));
    expect(ctx.events.rows.map((r) => [r.ts, r.pid, r.tid, r.op, r.addr, r.arg])).toEqual([
      [0, 300, 300, 'obs_mmap_lock_start', 0, 0],
      // the child's mm (id 1), locked by the parent inside fork (dup_mmap): not taken as the parent's
      [2000, 300, 300, 'obs_mmap_lock_start', 1, OBS_WRITE],
      [3000, 300, 300, 'fork', 0, 301],
      [3000, 301, 301, 'write', 0x1000, 0],
      [4000, 301, 301, 'obs_mmap_lock_start', 1, 0],
      [6000, 300, 300, 'write', 0x2000, 0],
    ]);
    expect(ctx.events.violations).toEqual([]);
  });

  it('groups tid-only threads by the mm= pointer of their mmap_lock events, with a warning', () => {
    const t = (tid: number, time: string, event: string, body: string): string => `          mtwork  ${tid} [000] ${time}: ${event}: ${body}`;
    const ctx = read(lines(
      t(501, '1.000000', 'exceptions:page_fault_user', 'address=0x1000 ip=0x1 error_code=0x6'),
      t(500, '1.000001', 'mmap_lock:mmap_lock_start_locking', 'mm=0xffffaaaa memcg_id=1 write=false'),
      t(502, '1.000002', 'exceptions:page_fault_user', 'address=0x2000 ip=0x1 error_code=0x6'),
      t(501, '1.000003', 'mmap_lock:mmap_lock_released', 'mm=0xffffaaaa memcg_id=1 write=false'),
      t(502, '1.000004', 'mmap_lock:mmap_lock_released', 'mm=0xffffbbbb memcg_id=1 write=false'),
    ));
    expect(ctx.events.rows.map((r) => [r.pid, r.tid, r.op])).toEqual([
      [500, 501, 'write'],
      [500, 500, 'obs_mmap_lock_start'],
      [502, 502, 'write'],
      [500, 501, 'obs_mmap_lock_released'],
      [502, 502, 'obs_mmap_lock_released'],
    ]);
    expect(ctx.issues.warnings.map((w) => w.code)).toEqual(['pid-grouping-inferred']);
    expect(ctx.counters.get('pid_grouping_inferred')).toBe(3);
    expect(ctx.counters.get('pid_grouping_assumed')).toBe(0);
  });

  it('without pids, mm= or clones takes each tid as its own process, or --pid, and says so', () => {
    const text = lines(
      '          mtwork  601 [000] 1.000000: exceptions:page_fault_user: address=0x1000 ip=0x1 error_code=0x6',
      '          mtwork  602 [000] 1.000001: exceptions:page_fault_user: address=0x2000 ip=0x1 error_code=0x6',
    );
    const own = read(text);
    expect(own.events.rows.map((r) => [r.pid, r.tid])).toEqual([[601, 601], [602, 602]]);
    expect(own.counters.get('pid_grouping_assumed')).toBe(2);
    expect(own.issues.warnings.map((w) => w.code)).toEqual(['pid-grouping-assumed']);
    expect(own.issues.warnings[0]!.expected).toContain('its own process');
    const given = read(text, 42);
    expect(given.events.rows.map((r) => [r.pid, r.tid])).toEqual([[42, 601], [42, 602]]);
    expect(given.issues.warnings[0]!.expected).toContain('--pid');
  });

  it('bounds the reorder buffer: a full buffer forces the head thread\'s process', () => {
    const t = (tid: number, us: number, body: string): string => `          mtwork  ${tid} [000] 1.${String(us).padStart(6, '0')}: exceptions:page_fault_user: ${body}`;
    const ls: string[] = [];
    for (let i = 0; i < 10; i++) ls.push(t(700, i, `address=0x${(0x1000 * (i + 1)).toString(16)} ip=0x1 error_code=0x6`));
    ls.push(`          mtwork  700 [000] 1.000010: mmap_lock:mmap_lock_start_locking: mm=0xffffcccc memcg_id=1 write=false`);
    const ctx = readText((c) => createPerfReader(c, 4), lines(...ls));
    // forced after 5 waiting rows: every row still written once, in order, as pid 700
    expect(ctx.events.rows.length).toBe(11);
    expect(ctx.events.rows.every((r) => r.pid === 700)).toBe(true);
    expect(ctx.events.rows.map((r) => r.ts)).toEqual([...Array(11).keys()].map((k) => k * 1000));
    expect(ctx.counters.get('pid_grouping_assumed')).toBe(1);
  });
});
