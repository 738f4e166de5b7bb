/**
 * Test helpers for synthetic scenarios: generate into plain row arrays, and check the structural
 * promises every generated trace makes (docs/design.md section 1, Timing):
 * - rows in nondecreasing ts over the whole file, so every thread's rows are in time order;
 * - a tid stays in the pid of its first row; no rows of a tid after its `exit`;
 * - a fork child pid is new, its first thread has tid = pid, and its rows come after the fork
 *   (later in the file and at a later ts);
 * - every access and range op lies inside pages the pid (or, through fork, its parent) mapped
 *   earlier and has not unmapped, with a protection that allows it (writes need read-write).
 */
import { findScenario, generateScenario, scenarioParams, type AnyParams } from '../../../src/ingest/synthetic/index.js';
import {
  FOLL_WRITE, MMAP_RDONLY, OPS, Op, PAGE_SIZE, PROT_NONE, PROT_READ, PROT_READ_WRITE, type EventRow,
} from '../../../src/ingest/schema.js';

/** Generated rows (as objects: tests only) and the resolved parameters. */
export interface Generated {
  rows: EventRow[];
  params: AnyParams;
}

/** Run scenario `name` with `--set` strings and a seed into row objects. */
export function gen(name: string, sets: string[] = [], seed = 1, threads?: string): Generated {
  const scenario = findScenario(name);
  const params = scenarioParams(scenario, sets, threads);
  const rows: EventRow[] = [];
  generateScenario(scenario, params, seed, {
    push(ts, pid, tid, op, addr, len, arg) {
      rows.push({ ts, pid, tid, op, addr, len, arg });
    },
  });
  return { rows, params };
}

/** Page protections tracked per pid. */
const P_NONE = 0;
const P_READ = 1;
const P_RW = 3;

function protOf(mprotectArg: number): number {
  if (mprotectArg === PROT_NONE) return P_NONE;
  if (mprotectArg === PROT_READ) return P_READ;
  if (mprotectArg === PROT_READ_WRITE) return P_RW;
  return -1;
}

function pagesOf(addr: number, len: number): [number, number] {
  const first = Math.floor(addr / PAGE_SIZE);
  const last = Math.floor((addr + Math.max(1, len) - 1) / PAGE_SIZE);
  return [first, last];
}

/** Short text of a row for messages. */
export function show(r: EventRow, i: number): string {
  return `row ${i}: ts=${r.ts} pid=${r.pid} tid=${r.tid} ${OPS[r.op]} 0x${r.addr.toString(16)} len=${r.len} arg=${r.arg}`;
}

/** Every structural problem of a trace (empty when it keeps its promises). At most 20. */
export function structuralProblems(rows: readonly EventRow[]): string[] {
  const problems: string[] = [];
  const fail = (msg: string): void => {
    if (problems.length < 20) problems.push(msg);
  };
  const pidOfTid = new Map<number, number>();
  const lastTsOfTid = new Map<number, number>();
  const exited = new Set<number>();
  const seenPids = new Set<number>();
  const forkTs = new Map<number, number>();
  const maps = new Map<number, Map<number, number>>();
  const mapOf = (pid: number): Map<number, number> => {
    let m = maps.get(pid);
    if (m === undefined) maps.set(pid, (m = new Map()));
    return m;
  };
  let prevTs = 0;

  rows.forEach((r, i) => {
    if (!Number.isInteger(r.ts) || r.ts < 0) fail(`${show(r, i)}: ts not a non-negative integer`);
    if (r.ts < prevTs) fail(`${show(r, i)}: ts goes backwards in the file (previous ${prevTs})`);
    prevTs = r.ts;
    if (exited.has(r.tid)) fail(`${show(r, i)}: row after the thread's exit`);
    const bound = pidOfTid.get(r.tid);
    if (bound === undefined) {
      pidOfTid.set(r.tid, r.pid);
      if (forkTs.has(r.pid) && !seenPids.has(r.pid) && r.tid !== r.pid) fail(`${show(r, i)}: first thread of forked pid ${r.pid} must have tid = pid`);
    } else if (bound !== r.pid) {
      fail(`${show(r, i)}: tid moved from pid ${bound}`);
    }
    if ((lastTsOfTid.get(r.tid) ?? 0) > r.ts) fail(`${show(r, i)}: thread ts goes backwards`);
    lastTsOfTid.set(r.tid, r.ts);
    const born = forkTs.get(r.pid);
    if (born !== undefined && r.ts <= born) fail(`${show(r, i)}: child row not after its fork at ts ${born}`);
    seenPids.add(r.pid);

    const m = mapOf(r.pid);
    const [first, last] = pagesOf(r.addr, r.len);
    const need = (minProt: number): void => {
      for (let p = first; p <= last; p++) {
        const prot = m.get(p);
        if (prot === undefined) return fail(`${show(r, i)}: page 0x${(p * PAGE_SIZE).toString(16)} not mapped by pid ${r.pid}`);
        if ((prot & minProt) !== minProt) return fail(`${show(r, i)}: page 0x${(p * PAGE_SIZE).toString(16)} has prot ${prot}, needs ${minProt}`);
      }
    };
    switch (r.op) {
      case Op.read: case Op.fetch: need(P_READ); break;
      case Op.write: need(P_RW); break;
      case Op.mmap: {
        if (r.len <= 0 || r.addr % PAGE_SIZE !== 0 || r.len % PAGE_SIZE !== 0) fail(`${show(r, i)}: mmap not page aligned`);
        const prot = r.arg & MMAP_RDONLY ? P_READ : P_RW;
        for (let p = first; p <= last; p++) m.set(p, prot);
        break;
      }
      case Op.munmap:
        for (let p = first; p <= last; p++) m.delete(p);
        break;
      case Op.mprotect: {
        const prot = protOf(r.arg);
        if (prot < 0) fail(`${show(r, i)}: bad mprotect arg`);
        need(P_NONE);
        for (let p = first; p <= last; p++) if (m.has(p)) m.set(p, prot);
        break;
      }
      case Op.pin: case Op.gup: need(r.arg & FOLL_WRITE ? P_RW : P_READ); break;
      case Op.discard: case Op.swapout: case Op.migrate: case Op.compact:
      case Op.unpin: case Op.gup_put: case Op.dma_write: case Op.dma_read:
        need(P_NONE);
        break;
      case Op.fork: {
        const child = r.arg;
        if (seenPids.has(child) || forkTs.has(child) || pidOfTid.has(child)) fail(`${show(r, i)}: fork child ${child} already in use`);
        forkTs.set(child, r.ts);
        maps.set(child, new Map(m));
        break;
      }
      case Op.exit: exited.add(r.tid); break;
      default: break;
    }
  });
  return problems;
}

/** Rows of op `op` (by name). */
export function ofOp(rows: readonly EventRow[], op: keyof typeof Op): EventRow[] {
  return rows.filter((r) => r.op === Op[op]);
}

/** Distinct values of `f` over rows, in first-seen order. */
export function distinct<T>(rows: readonly EventRow[], f: (r: EventRow) => T): T[] {
  return [...new Set(rows.map(f))];
}
