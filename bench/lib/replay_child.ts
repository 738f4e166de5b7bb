/**
 * Child process of the replay bench: builds a synthetic event table in memory and replays it
 * (or runs the baseline loop), then prints one JSON line with the measurement. Run alone so its
 * peak RSS is its own.
 *
 * Modes: `hits N` (4 threads; each writes 256 pages once, then N/4 accesses cycling over them),
 * `faults N` (4 threads each writing N/4 fresh pages), `baseline N` (the hits trace, but a plain
 * typed-array pass doing one Map lookup per event instead of a replay). BENCH_THREADS=N sets the
 * number of threads (default 4).
 */
import { Op } from '../../src/ingest/schema.js';
import { replay } from '../../src/replay/replay.js';
import { parsePolicy } from '../../src/replay/policies/presets.js';
import type { EventColumns } from '../../src/replay/row_loop.js';

const THREADS = Number(process.env.BENCH_THREADS ?? 4);
const PAGES = 256;
const BASE = 0x7f0000000000;

function table(n: number, fresh: boolean): EventColumns {
  const c: EventColumns = {
    ts: new Float64Array(n), pid: new Int32Array(n), tid: new Int32Array(n), op: new Int8Array(n),
    addr: new Float64Array(n), len: new Float64Array(n), arg: new Float64Array(n),
  };
  const per = Math.floor(n / THREADS);
  let r = 0;
  for (let t = 0; t < THREADS; t++) {
    const region = BASE + t * 2 ** 32;
    const pages = fresh ? per : PAGES;
    c.pid[r] = 1; c.tid[r] = 100 + t; c.op[r] = Op.mmap; c.addr[r] = region; c.len[r] = pages * 4096; r++;
    for (let i = 1; i < per && r < n; i++, r++) {
      c.pid[r] = 1; c.tid[r] = 100 + t; c.len[r] = 1;
      const page = fresh ? i - 1 : (i * 7) % PAGES;
      c.op[r] = fresh || i <= PAGES || i % 4 === 0 ? Op.write : Op.read;
      c.addr[r] = region + page * 4096 + (i % 64) * 8;
    }
  }
  return {
    ts: c.ts.subarray(0, r), pid: c.pid.subarray(0, r), tid: c.tid.subarray(0, r), op: c.op.subarray(0, r),
    addr: c.addr.subarray(0, r), len: c.len.subarray(0, r), arg: c.arg.subarray(0, r),
  };
}

/**
 * Read every column once, untimed, so the whole table is resident in every mode: a column never
 * written (ts here is all zeros) is otherwise only made resident by the first pass that reads it,
 * and some kernels count those zero-page reads in RSS (seen: 6.18 counts them, earlier machines
 * did not), which charged the replay with 80 MB of the input's `ts` that the baseline never read.
 */
function touch(c: EventColumns): number {
  let s = 0;
  for (const col of Object.values(c) as ArrayLike<number>[]) for (let i = 0; i < col.length; i += 512) s += col[i]!;
  return s;
}

function inputBytes(c: EventColumns): number {
  return Object.values(c).reduce((a, v) => a + (v as ArrayLike<number> & { byteLength: number }).byteLength, 0);
}

function main(): void {
  const [mode, nText] = process.argv.slice(2);
  const n = Number(nText);
  const cols = table(n, mode === 'faults');
  if (Number.isNaN(touch(cols))) console.log('');
  const c0 = process.cpuUsage();
  let faults = 0;
  if (mode === 'baseline') {
    // One hash lookup per event, keyed by page number, over the same columns: the floor any
    // page-granular replay pays.
    const tables = new Map<number, number>();
    let acc = 0;
    for (let i = 0; i < cols.addr.length; i++) {
      const k = Math.floor(cols.addr[i]! / 4096);
      const v = tables.get(k);
      if (v === undefined) tables.set(k, i);
      else acc += v;
    }
    if (acc === -1) console.log('');
  } else {
    const r = replay(cols, {
      machine: { cpus: 0, nodes: 2, cpuGhz: 3, hz: 1000, memoryLimitBytes: null, swap: 'zram', disk: 'nvme', timing: 'trace', autoVma: false, seed: 1 },
      policies: [parsePolicy('linux-6.12')],
      trace: { path: mode!, sha256: '', rows: cols.ts.length },
    });
    faults = r.policies[0]!.summary.faults;
  }
  // CPU time of this process (user + sys), not wall time: robust against other load on the box.
  const cu = process.cpuUsage(c0);
  const seconds = (cu.user + cu.system) / 1e6;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  // Kernel time is mostly page faults on the emulator's own new memory (its heap growing).
  const sysSeconds = cu.system / 1e6;
  const minorFaults = process.resourceUsage().minorPageFault;
  console.log(JSON.stringify({ events: cols.ts.length, faults, seconds, sysSeconds, minorFaults, maxRssMiB, inputMiB: inputBytes(cols) / 2 ** 20 }));
}

main();
