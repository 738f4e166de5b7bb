/**
 * Raw ftrace text (`/sys/kernel/tracing/trace`) and `trace-cmd report` text reader. Both print
 * `COMM-TID [(TGID)] [CPU] [FLAGS] SECS.USECS: EVENT: BODY` with the bare event name (no
 * subsystem); raw ftrace prints syscalls as `sys_mmap(addr: 0, len: 0x2000, ...)` and
 * `sys_mmap -> 0x7f..`, trace-cmd as `sys_enter_mmap: addr: 0x..` and `sys_exit_mmap: 0x7f..`.
 * trace-cmd prefixes lines of a named buffer with `NAME:`, which the header scan skips as part
 * of the comm. Bodies are handled by the same tracepoint handlers as perf (tracepoints.ts).
 */
import type { ReaderContext } from './reader.js';
import { TraceTextReader } from './trace_text_reader.js';
import { NameEnd, countStyleLines, parseHeader, scanEventName, type EventToken } from './perf_header.js';
import { DEFAULT_REORDER_CAP } from './perf_state.js';
import { TRACEPOINTS } from './tracepoints.js';

const HASH = 35, SP = 32, TAB = 9;

/** True for raw ftrace (`# tracer:` header) or trace-cmd report (`cpus=N`) text, or lines like them. */
export function sniffFtrace(head: string): boolean {
  const first = head.trimStart();
  if (first.startsWith('# tracer:')) return true;
  if (/^(cpus=\d+|version = \d+)\s*$/m.test(first.slice(0, 200))) return true;
  return countStyleLines(head, 'ftrace') > 0;
}

/** A streaming ftrace / trace-cmd report reader; `reorderCap` bounds the reorder buffer (perf_state.ts). */
export function createFtraceReader(ctx: ReaderContext, reorderCap = DEFAULT_REORDER_CAP): TraceTextReader {
  return new FtraceReader(ctx, reorderCap);
}

class FtraceReader extends TraceTextReader {
  readonly format = 'ftrace' as const;
  private readonly syscallNames = new Map<string, string>();
  /** The last event token and the name it maps to (most lines repeat it). */
  private lastRaw = '';
  private lastKind: NameEnd = NameEnd.Other;
  private lastName = '';

  /** One line, `text[start, end)`. */
  protected onLine(text: string, start: number, end: number, no: number): void {
    if (!parseHeader(text, start, end, 'ftrace', this.h)) return this.otherLine(text.slice(start, end), no);
    this.lines++;
    const tok = this.tok;
    scanEventName(text, this.h.rest, end, false, tok);
    const r = this.state.begin(this.h, text, start, end, no, tok.body);
    const name = this.eventName(text, tok);
    this.state.handle(TRACEPOINTS.get(name), name, r);
  }

  /** Bare event name; ftrace's `sys_NAME(` / `sys_NAME ->` become `sys_enter_NAME` / `sys_exit_NAME`. */
  private eventName(text: string, tok: EventToken): string {
    const last = this.lastRaw;
    if (tok.kind === this.lastKind && tok.end - tok.start === last.length && text.startsWith(last, tok.start)) return this.lastName;
    this.lastRaw = text.slice(tok.start, tok.end);
    this.lastKind = tok.kind;
    this.lastName = this.syscallName(this.lastRaw, tok.kind);
    return this.lastName;
  }

  private syscallName(raw: string, kind: NameEnd): string {
    if (kind !== NameEnd.Paren && kind !== NameEnd.Arrow) return raw;
    const key = kind === NameEnd.Paren ? `(${raw}` : `>${raw}`;
    let name = this.syscallNames.get(key);
    if (name === undefined) {
      const base = raw.startsWith('sys_') ? raw.slice(4) : raw;
      name = kind === NameEnd.Paren ? `sys_enter_${base}` : `sys_exit_${base}`;
      this.syscallNames.set(key, name);
    }
    return name;
  }

  /** Comments, trace-cmd headers, lost-event notes, stack traces; anything else is an error. */
  private otherLine(line: string, no: number): void {
    const counters = this.ctx.counters;
    const t = line.trimStart();
    if (t.length === 0 || t.charCodeAt(0) === HASH || /^(cpus=\d+|version = \d+|CPU \d+ is empty)\s*$/.test(t)) {
      return counters.add('skipped_blank');
    }
    if (t.startsWith('=>')) return counters.add('skipped_stack_line');
    const lost = /LOST (\d+) EVENTS|(\d+) EVENTS DROPPED/.exec(t);
    if (lost !== null) {
      counters.add('lost_events', Number(lost[1] ?? lost[2]));
      return this.state.warnOnce('lost-events', no,
        'the kernel dropped events while recording (the trace buffer overflowed); mappings or faults may be missing: record again with a larger buffer_size_kb', line);
    }
    this.lines++;
    const c0 = line.length > 0 ? line.charCodeAt(0) : SP;
    const expected = c0 === TAB
      ? 'an ftrace line (a tab-indented line is not part of the ftrace format)'
      : 'an ftrace or trace-cmd report line: COMM-TID [(TGID)] [CPU] [FLAGS] SECS.USECS: EVENT: BODY';
    this.ctx.issues.error({ code: 'bad-line', stage: 'ingest', file: this.ctx.file, line: no, text: line, expected });
  }
}
