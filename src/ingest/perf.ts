/**
 * `perf script` text reader (docs/design.md section 1, "Recorded sources").
 *
 * - Software page-fault samples (`perf record -e page-faults -c 1 -d`, then
 *   `perf script -F comm,pid,tid,time,event,addr,ip,sym`): one `read` per sample at `addr`
 *   (software events do not say read or write). Without `addr` printed: an InputError naming
 *   the `-F` to use.
 * - Tracepoints (`exceptions:page_fault_user`, `syscalls:*`, `mmap_lock:*`, ...): handled in
 *   tracepoints.ts, shared with the ftrace reader.
 *
 * Lines look like `COMM  PID/TID [CPU] SECS.USECS: [PERIOD] EVENT: FIELDS`, with `PID/` and
 * `[CPU]` optional and spaces allowed in COMM. Streaming: ChunkLines keeps only the partial
 * last line between chunks and hands lines on in place (perf_lines.ts).
 */
import type { ReaderContext } from './reader.js';
import { TraceTextReader } from './trace_text_reader.js';
import { InputError } from '../util/errors.js';
import { NameEnd, countStyleLines, parseHeader, scanEventName, type EventToken } from './perf_header.js';
import { DEFAULT_REORDER_CAP, type EventRec } from './perf_state.js';
import { TRACEPOINTS, type TracepointHandler } from './tracepoints.js';
import { BAD, TOO_BIG, parseHexDigits } from './numbers.js';
import { Op } from './schema.js';

/** The `perf script` fields software page-fault samples need. */
export const PERF_SAMPLE_FIELDS = 'comm,pid,tid,time,event,addr,ip,sym';

/** Software events counted as page-fault samples (with any `:u`/`:k` modifier). */
const SOFTWARE_FAULT_EVENTS = new Set(['page-faults', 'faults', 'minor-faults', 'major-faults']);

const SP = 32, TAB = 9, HASH = 35;

/** True when the first chunk's event lines parse as perf script lines (not ftrace ones). */
export function sniffPerf(head: string): boolean {
  return countStyleLines(head, 'perf') > 0;
}

/** A streaming `perf script` reader; `reorderCap` bounds the reorder buffer (perf_state.ts). */
export function createPerfReader(ctx: ReaderContext, reorderCap = DEFAULT_REORDER_CAP): TraceTextReader {
  return new PerfReader(ctx, reorderCap);
}

class PerfReader extends TraceTextReader {
  readonly format = 'perf' as const;
  /** Whether sample lines print `addr` first: decided on the first software sample. */
  private samplesHaveAddr: boolean | undefined;
  /** The last event name, whether it is a software page-fault sample, and its handler. */
  private lastName = '';
  private lastIsSample = false;
  private lastHandler: TracepointHandler | undefined;

  /** One line, `text[start, end)`. */
  protected onLine(text: string, start: number, end: number, no: number): void {
    if (!parseHeader(text, start, end, 'perf', this.h)) return this.otherLine(text.slice(start, end), no);
    this.lines++;
    if (this.h.tid < 0) return this.noTask(text.slice(start, end), no);
    const tok = this.tok;
    scanEventName(text, this.h.rest, end, true, tok);
    const name = this.eventName(text, tok);
    const r = this.state.begin(this.h, text, start, end, no, tok.body);
    if (tok.kind === NameEnd.Colon && this.lastIsSample) {
      this.sample(r);
      return this.state.afterEvent();
    }
    this.state.handle(this.lastHandler, name, r);
  }

  /** An event perf printed without a task (`-1/-1`): no thread to replay it on. */
  private noTask(line: string, no: number): void {
    this.ctx.counters.add('skipped_no_task');
    this.state.warnOnce('no-task', no, 'perf printed this event with no task (-1/-1): it cannot be put on a thread and is skipped (skipped_no_task counts them)', line.trim());
  }

  /** Blank and comment lines, callchain lines; anything else is an error. */
  private otherLine(line: string, no: number): void {
    const counters = this.ctx.counters;
    if (line.length > 0 && line.charCodeAt(0) === TAB) return counters.add('skipped_stack_line'); // `perf record -g` callchain
    const t = line.trimStart();
    if (t.length === 0 || t.charCodeAt(0) === HASH) return counters.add('skipped_blank');
    this.lines++;
    this.ctx.issues.error({ code: 'bad-line', stage: 'ingest', file: this.ctx.file, line: no, text: line,
      expected: 'a perf script line: COMM [PID/]TID [CPU] SECS.USECS: EVENT: FIELDS' });
  }

  /** The event token as a string, reusing the last one when identical (most lines repeat it). */
  private eventName(text: string, tok: EventToken): string {
    // slice and `===` (a memcmp) measured twice as fast as `startsWith` (char by char) here
    const name = text.slice(tok.start, tok.end);
    if (name === this.lastName) return this.lastName;
    this.lastName = name;
    this.lastIsSample = isSoftwareFault(this.lastName);
    this.lastHandler = TRACEPOINTS.get(this.lastName);
    return this.lastName;
  }

  /** A software page-fault sample: `ADDR [ADDR-SYM] IP SYM ...` after the event name. */
  private sample(r: EventRec): void {
    const { text, body, end } = r;
    if (this.samplesHaveAddr === undefined) this.samplesHaveAddr = hasAddrLayout(text.slice(body, end));
    if (!this.samplesHaveAddr) {
      throw new InputError({ code: 'perf-no-addr', stage: 'ingest', file: this.ctx.file, line: r.lineNo, text: text.slice(r.start, end),
        expected: `page-fault samples without the faulting address; record with \`perf record -e page-faults -c 1 -d\` and print them with \`perf script -F ${PERF_SAMPLE_FIELDS}\`` });
    }
    let e = body;
    while (e < end && text.charCodeAt(e) !== SP && text.charCodeAt(e) !== TAB) e++;
    const addr = parseHexDigits(text, body, e);
    if (addr === TOO_BIG) return this.ctx.counters.add('skipped_kernel_address');
    if (addr === BAD) return this.state.bad(r, 'bad-field', `a hex address after the event name (perf script -F ${PERF_SAMPLE_FIELDS})`);
    this.state.row(r.task, r.pid, r.ts, Op.read, addr, 1, 0, r.lineNo);
  }
}

function isSoftwareFault(name: string): boolean {
  const colon = name.indexOf(':');
  return SOFTWARE_FAULT_EVENTS.has(colon < 0 ? name : name.slice(0, colon));
}

/**
 * Whether a sample prints `addr` before `ip`: with `-F ...,addr,ip,sym` the fields after the
 * event are `ADDR ADDR-SYM IP SYM` (or `ADDR IP` without sym), so a second hex number follows
 * the first one directly or after one symbol; with only `ip,sym` it is `IP SYM+OFF (DSO)`.
 */
function hasAddrLayout(fields: string): boolean {
  const tokens = fields.trim().split(/\s+/, 3);
  const hex = (t: string | undefined): boolean => t !== undefined && t.length > 0 && parseHexDigits(t) !== BAD;
  return hex(tokens[0]) && (hex(tokens[1]) || hex(tokens[2]));
}
