/**
 * The validating EventSink between every reader and the EventBatchBuilder. Readers check the
 * syntax of their own format; this sink checks what the event table promises across formats and
 * across input files (docs/design.md section 1):
 *
 * - a thread's `ts` never goes backwards (rows of one thread are in time order);
 * - a tid is bound to the pid of its first row and never changes process;
 * - a `fork` child pid is not already in use (seen as a pid or as an earlier fork child);
 * - observed kernel objects (`mm=` and lock pointers) are interned to small ids.
 *
 * Problems become located InputIssues in the IssueList; the offending row is dropped and
 * reading goes on, so one run reports many problems at once.
 */
import type { EventBatchBuilder } from './batch.js';
import type { EventSink, IssueList } from './reader.js';
import { FIRST_OBSERVATION_OP, Op } from './schema.js';

/** How `line` numbers passed to `push` are reported: text lines (1-based) or Arrow rows (0-based). */
export type LocationUnit = 'line' | 'row';

/** Per-thread state: its process, and the time and location of its previous row. */
interface ThreadState {
  tid: number;
  pid: number;
  lastTs: number;
  lastFile: string;
  lastLine: number;
}

/** Largest pid/tid (Int32 column). */
const MAX_ID = 2 ** 31 - 1;

/** The EventSink of the ingest pipeline: validates, counts, and appends to the batch builder. */
export class ValidatingSink implements EventSink {
  private readonly threads = new Map<number, ThreadState>();
  private readonly pidsInUse = new Set<number>();
  private readonly objectIds = new Map<string, number>();
  /** Interned object texts by id; written to `observations.objects`. */
  readonly objects: string[] = [];
  private last: ThreadState | undefined;
  private lastPid = -1;
  private file = '';
  private unit: LocationUnit = 'line';
  private readonly units = new Map<string, LocationUnit>();
  /** Largest `ts` accepted so far, over every file (-1 before the first row). */
  maxTs = -1;
  /** Replayable events and observation rows accepted. */
  events = 0;
  observations = 0;

  constructor(
    private readonly builder: EventBatchBuilder,
    private readonly issues: IssueList,
  ) {}

  /** Start a new input file; later issues name it, at lines or rows. State carries over. */
  beginFile(file: string, unit: LocationUnit): void {
    this.file = file;
    this.unit = unit;
    this.units.set(file, unit);
  }

  /** Validate one event and append it, or report why not. `line` is a line or row number. */
  push(ts: number, pid: number, tid: number, op: number, addr: number, len: number, arg: number, line: number): void {
    let t = this.last;
    if (t === undefined || t.tid !== tid) {
      t = this.threads.get(tid);
      if (t === undefined) {
        t = { tid, pid, lastTs: 0, lastFile: this.file, lastLine: line };
        this.threads.set(tid, t);
      }
      this.last = t;
    }
    if (t.pid !== pid) {
      return this.error('tid-moved', line, `pid=${pid} tid=${tid}`,
        `tid ${tid} belongs to pid ${t.pid} since ${this.where(t.lastFile, t.lastLine)}; a thread cannot move to another process`);
    }
    if (ts < t.lastTs) {
      return this.error('ts-backwards', line, `ts=${ts}`,
        `a ts at or after ${t.lastTs}, the ts of tid ${tid}'s previous row (${this.where(t.lastFile, t.lastLine)}); each thread's rows must be in time order`);
    }
    if (op === Op.fork && !this.fork(arg, line)) return;
    if (pid !== this.lastPid) {
      this.pidsInUse.add(pid);
      this.lastPid = pid;
    }
    t.lastTs = ts;
    t.lastFile = this.file;
    t.lastLine = line;
    if (ts > this.maxTs) this.maxTs = ts;
    if (op >= FIRST_OBSERVATION_OP) this.observations++;
    else this.events++;
    this.builder.push(ts, pid, tid, op, addr, len, arg);
  }

  /** Check and register a fork child pid; false (with an issue) when it cannot be used. */
  private fork(child: number, line: number): boolean {
    if (child <= 0 || child > MAX_ID) {
      this.error('bad-fork-child', line, `arg=${child}`, `a child pid between 1 and ${MAX_ID} in the arg of a fork row`);
      return false;
    }
    if (this.pidsInUse.has(child)) {
      this.error('fork-pid-in-use', line, `arg=${child}`,
        `a fork child pid not already in use; pid ${child} already appeared earlier in the trace`);
      return false;
    }
    this.pidsInUse.add(child);
    return true;
  }

  /** Intern an observed object's text; the same text always gets the same id. */
  internObject(text: string): number {
    let id = this.objectIds.get(text);
    if (id === undefined) {
      id = this.objects.length;
      this.objects.push(text);
      this.objectIds.set(text, id);
    }
    return id;
  }

  /**
   * Append an input's whole object table as is and return the id of its first entry, so rows
   * carrying that input's ids can be shifted by it (Arrow passthrough, whose table arrives last).
   */
  appendObjects(texts: readonly string[]): number {
    const base = this.objects.length;
    for (const text of texts) {
      if (!this.objectIds.has(text)) this.objectIds.set(text, this.objects.length);
      this.objects.push(text);
    }
    return base;
  }

  /** Number of objects interned so far (the id the next new object will get). */
  get objectCount(): number {
    return this.objects.length;
  }

  private where(file: string, line: number): string {
    const at = `${this.units.get(file) ?? 'line'} ${line}`;
    return file === this.file ? at : `${file} ${at}`;
  }

  private error(code: string, line: number, text: string, expected: string): void {
    const at = this.unit === 'line' ? { line } : { row: line };
    this.issues.error({ code, stage: 'ingest', file: this.file, ...at, text, expected });
  }
}
