/**
 * Fuzzing every reader (issue 20's acceptance): inputs mutated from a valid trace of each format
 * (CSV, perf script, raw ftrace, trace-cmd report, valgrind lackey, Arrow IPC; sometimes gzipped)
 * are ingested by the CLI in-process. Whatever the bytes, the run exits 0 or 2, prints no stack
 * trace and no raw Node error, and every input error names the file and, when it is about a
 * line or a row, that line or row. `readers.test.ts` runs this for a few seconds in the suite;
 * `npm run fuzz` runs it as long as MMREPLAY_FUZZ_RUNS says (docs/ingest.md, "Fuzzing").
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { expect } from 'vitest';
import { ingest } from '../../src/ingest/ingest.js';
import { loadEventTable } from '../../src/ingest/load.js';
import { ArrowEventWriter } from '../../src/ingest/writer.js';
import { MemorySink } from '../../src/util/byte_sink.js';
import { InputError } from '../../src/util/errors.js';
import { runCaptured } from '../helpers/cli.js';
import { sourceOf } from '../helpers/sources.js';

/** Issue codes about a whole input, which have no line or row to name. */
export const WHOLE_INPUT_CODES = new Set([
  'unknown-format', 'missing-header', 'missing-columns', 'no-events', 'truncated-arrow', 'bad-arrow', 'bad-gzip',
  'bad-column-type', 'bad-metadata', 'perf-no-addr', 'no-such-file', 'unreadable',
]);

const CSV = `ts,pid,tid,op,addr,len,arg
0,1,1,mmap,0x7f0000000000,65536,0
10,1,1,write,0x7f0000000010,8,
20,1,3,read,0x7f0000001000,,
30,1,1,fork,0,0,2
40,2,2,write,0x7f0000000020,8,0
50,1,1,munmap,0x7f0000000000,4096,0
`;

const PERF = `          mtwork 100/100 [000]  4558.070942: syscalls:sys_enter_mmap: addr: 0x00000000, len: 0x00002000, prot: 0x00000003, flags: 0x00000022, fd: 0xffffffff, off: 0x00000000
          mtwork 100/100 [000]  4558.070950: syscalls:sys_exit_mmap: 0x7f06dae80000
          mtwork 100/100 [000]  4558.070960: exceptions:page_fault_user: address=0x7f06dae80010 ip=0x401000 error_code=0x6
          mtwork 100/101 [001]  4558.070970: exceptions:page_fault_user: address=0x7f06dae81010 ip=0x401000 error_code=0x4
          mtwork 100/100 [000]  4558.070980: mmap_lock:mmap_lock_start_locking: mm=0xffff8881df3d44c0 memcg_id=3005 write=true
          mtwork 100/100 [000]  4558.070990: syscalls:sys_enter_munmap: addr: 0x7f06dae80000, len: 0x00001000
          mtwork 100/100 [000]  4558.071000: sched:sched_process_exit: comm=mtwork pid=100 prio=120 group_dead=true
`;

const FTRACE = `# tracer: nop
#
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
          mtwork-100     [000] .....  4561.528663: sys_mmap(addr: 0, len: 0x2000, prot: 3, flags: 0x22, fd: ffffffff, off: 0)
          mtwork-100     [000] .....  4561.528670: sys_mmap -> 0x7fb3e713e000
          mtwork-100     [000] .....  4561.528680: page_fault_user: address=0x7fb3e713e010 ip=0x401000 error_code=0x6
          mtwork-101     [001] .....  4561.528690: page_fault_user: address=0x7fb3e713f010 ip=0x401000 error_code=0x4
          mtwork-100     [000] .....  4561.528700: sys_munmap(addr: 0x7fb3e713e000, len: 0x1000)
`;

const TRACE_CMD = `cpus=2
mmreplay:           mtwork-30902 [000]  4561.728647: mmap_lock_start_locking: mm=0xffff8881df3d5140 memcg_id=3005 write=true
mmreplay:           mtwork-30902 [000]  4561.728650: page_fault_user:      address=0x7f1c5a800000 ip=0x55c4a1b0 error_code=0x6
mmreplay:           mtwork-30902 [000]  4561.728660: sys_enter_munmap:     addr: 0x7f1c5a800000, len: 0x00001000
mmreplay:           mtwork-30903 [001]  4561.728670: page_fault_user:      address=0x7f1c5a801000 ip=0x55c4a1b0 error_code=0x4
`;

const LACKEY = `==30936== Lackey, an example Valgrind tool
==30936== Command: ./lackey_demo
I  0401ab70,3
 L 04222cac,4
 S 7ff000398,8
 M 0421d4b0,4
I  0401ab73,5
`;

/** An mmreplay Arrow file of the CSV seed. */
async function arrowSeed(): Promise<Uint8Array> {
  const sink = new MemorySink();
  const w = new ArrowEventWriter(sink);
  const res = await ingest([sourceOf('seed.csv', CSV)], { onBatch: (b) => w.write(b), batchRows: 3 });
  await w.finish(res.metadata);
  return sink.bytes();
}

/** A format to fuzz: its seed bytes, the file name it is given, and the --format to force sometimes. */
export interface FuzzFormat {
  name: string;
  file: string;
  format: string;
  seed: () => Promise<Uint8Array>;
}

const text = (s: string) => async (): Promise<Uint8Array> => new TextEncoder().encode(s);

export const FORMATS: FuzzFormat[] = [
  { name: 'csv', file: 'in.csv', format: 'csv', seed: text(CSV) },
  { name: 'perf script', file: 'in.perf', format: 'perf', seed: text(PERF) },
  { name: 'ftrace', file: 'in.ftrace', format: 'ftrace', seed: text(FTRACE) },
  { name: 'trace-cmd report', file: 'in.trace', format: 'ftrace', seed: text(TRACE_CMD) },
  { name: 'lackey', file: 'in.lackey', format: 'lackey', seed: text(LACKEY) },
  { name: 'arrow', file: 'in.arrow', format: 'arrow', seed: arrowSeed },
];

/** Bytes worth putting anywhere: separators, signs, hex letters, line ends, NUL, 0xff, a UTF-8 lead byte. */
const SPICE = [...'0123456789abcdefxX,:;=/-+.()[] \t\n\r#|', '\0', '\xff', '\xc3'].map((c) => c.charCodeAt(0));

/** One edit of the input bytes. */
type Edit =
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; n: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'repeat'; at: number; n: number; times: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.oneof(fc.constantFrom(...SPICE), fc.nat({ max: 255 })) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(fc.oneof(fc.constantFrom(...SPICE), fc.nat({ max: 255 })), { minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 200 }), times: fc.integer({ min: 1, max: 4 }) }),
);

/** Apply edits (positions taken modulo the current length). */
export function mutate(seed: Uint8Array, edits: readonly Edit[]): Uint8Array {
  let b = Array.from(seed);
  for (const e of edits) {
    const at = b.length === 0 ? 0 : e.at % (b.length + 1);
    if (e.kind === 'set') { if (b.length > 0) b[Math.min(at, b.length - 1)] = e.byte; }
    else if (e.kind === 'insert') b.splice(at, 0, ...e.bytes);
    else if (e.kind === 'delete') b.splice(at, e.n);
    else if (e.kind === 'truncate') b = b.slice(0, at);
    else { const part = b.slice(at, at + e.n); for (let k = 0; k < e.times; k++) b.splice(at, 0, ...part); }
  }
  return Uint8Array.from(b);
}

/** An input case: the edits, whether to gzip, whether to force --format, and how it is read (chunk size for the library run). */
export const fuzzCase = fc.record({
  edits: fc.array(edit, { minLength: 1, maxLength: 6 }),
  gzip: fc.boolean(),
  forceFormat: fc.boolean(),
  lineEnds: fc.constantFrom('keep', 'keep', 'keep', 'crlf', 'cr'),
  chunk: fc.constantFrom(Infinity, 1, 7, 64),
});

/** One stderr line of the CLI: its location part names the file, and a line or row unless the message is about the whole input. */
function checkMessageLine(line: string, file: string): void {
  expect(line.startsWith('mmreplay: '), line).toBe(true);
  if (line.startsWith('mmreplay: warning: ') || line.startsWith('mmreplay: ... and ')) return;
  expect(line, 'an exit-2 message names the input file').toContain(file);
}

/**
 * Run `runs` cases of `fmt` in `dir` and check each: the CLI run (exit 0 or 2, no stack, no raw
 * error, messages naming the file) and the library run of the same bytes (every issue located).
 */
export async function fuzzFormat(fmt: FuzzFormat, dir: string, runs: number, seed?: number): Promise<void> {
  const base = await fmt.seed();
  mkdirSync(dir, { recursive: true });
  await fc.assert(fc.asyncProperty(fuzzCase, async (c) => {
    let bytes = mutate(base, c.edits);
    if (fmt.format !== 'arrow' && c.lineEnds !== 'keep') {
      const s = Buffer.from(bytes).toString('latin1').replace(/\r?\n/g, c.lineEnds === 'crlf' ? '\r\n' : '\r');
      bytes = Uint8Array.from(s, (ch) => ch.charCodeAt(0));
    }
    const name = c.gzip ? `${fmt.file}.gz` : fmt.file;
    if (process.env.MMREPLAY_FUZZ_DEBUG) process.stderr.write(`${JSON.stringify(c)}\n`);
    if (c.gzip) bytes = gzipSync(bytes);
    writeFileSync(join(dir, name), bytes);
    const argv = ['ingest', name, '--workers', '0', '-o', 'out.arrow', ...(c.forceFormat ? ['--format', fmt.format] : [])];
    const run = await runCaptured(argv, dir);
    const shown = `${fmt.name} ${JSON.stringify(c)}: exit ${run.code}\n${run.stderr}`;
    expect([0, 2], shown).toContain(run.code);
    expect(run.stderr, shown).not.toMatch(/\n\s+at |internal error|BUG|triggerUncaught|Error:|ERR_/);
    if (run.code === 2) for (const l of run.stderr.trimEnd().split('\n')) checkMessageLine(l, name);
    // The same bytes through the library, in chunks: every issue names the file, and its line or row unless it is about the whole input.
    try {
      await loadEventTable([sourceOf(name, bytes, c.chunk)], { format: c.forceFormat ? (fmt.format as 'csv') : 'auto', workers: 0 });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      for (const i of err.issues) {
        expect(i.file, shown).toBe(name);
        if (!WHOLE_INPUT_CODES.has(i.code)) expect(i.line !== undefined || i.row !== undefined, `${i.code} ${err.message}`).toBe(true);
      }
    }
  }), { numRuns: runs, seed, endOnFailure: true });
}
