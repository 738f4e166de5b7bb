/**
 * valgrind lackey traces (`valgrind --tool=lackey --trace-mem=yes PROG`), streaming:
 *
 * ```
 * ==12345== Lackey, an example Valgrind tool       valgrind chatter: skipped, counted
 * I  04016e8,3                                     instruction fetch -> fetch
 *  L 04222cac,4                                    load              -> read
 *  S 7ff000398,8                                   store             -> write
 *  M 0421d4b0,4                                    modify            -> read, then write
 * ```
 *
 * Addresses are bare hex, sizes decimal. Lackey traces one process and serialises its threads,
 * so every event goes to one thread: pid = tid = `--pid`, else the pid in the first `==PID==`
 * chatter line, else 1.
 *
 * Timestamps are synthesised from order: the k-th event written gets `ts = start + k` (ns), where
 * `start` is 0 for the first input and one past the largest ts so far when inputs are
 * concatenated. One nanosecond per event makes `--timing trace` replay the accesses back to back
 * at the emulated machine's own speed; lackey records no time, so no gap means anything.
 * Addresses at or above 2^53 (the vsyscall page) are kernel addresses: skipped and counted.
 */
import { BAD, TOO_BIG, parseDec, parseHexDigits } from './numbers.js';
import { LineSplitter, lineTooLong, type ReaderContext, type TraceReader } from './reader.js';
import { Op } from './schema.js';

/** pid/tid used when neither `--pid` nor valgrind chatter names one. */
export const LACKEY_DEFAULT_PID = 1;

const SPACE = 32;

/** A valgrind chatter line: `==PID==`, then a space and text, or nothing. */
const CHATTER = /^==\d+==(?: |$)/;

class LackeyReader implements TraceReader {
  readonly format = 'lackey' as const;
  private readonly lines: LineSplitter;
  private pid: number;
  private pidFixed: boolean;
  private ts: number;
  /** Records read, added to the counters at each chunk's end (not a Map update per line). */
  private read = 0;

  constructor(private readonly ctx: ReaderContext, startTs: number) {
    this.pid = ctx.options.pid ?? LACKEY_DEFAULT_PID;
    this.pidFixed = ctx.options.pid !== undefined;
    this.ts = startTs;
    this.lines = new LineSplitter((line, no) => this.line(line, no), (no, start) => {
      throw lineTooLong(ctx.file, no, start);
    });
  }

  get linesRead(): number {
    return this.lines.line;
  }

  push(chunk: string): void {
    this.lines.push(chunk);
    this.flushCounts();
  }

  end(): void {
    this.lines.end();
    this.flushCounts();
  }

  private flushCounts(): void {
    if (this.read > 0) this.ctx.counters.add('rows_read', this.read);
    this.read = 0;
  }

  private line(s: string, no: number): void {
    const c0 = s.charCodeAt(0);
    const c1 = s.charCodeAt(1);
    let op: number;
    if (c0 === 73 /* I */ && c1 === SPACE) op = Op.fetch;
    else if (c0 === SPACE && s.charCodeAt(2) === SPACE && (c1 === 76 /* L */ || c1 === 83 /* S */ || c1 === 77 /* M */)) {
      op = c1 === 83 ? Op.write : Op.read;
    } else return this.other(s, no);
    this.read++;
    let i = 2;
    while (s.charCodeAt(i) === SPACE) i++;
    const comma = s.indexOf(',', i);
    if (comma < 0) return this.bad(s, no);
    const addr = parseHexDigits(s, i, comma);
    const len = parseDec(s, comma + 1);
    if (addr === BAD || len < 0) return this.bad(s, no);
    if (addr === TOO_BIG) {
      this.ctx.counters.add('skipped_kernel_address');
      return;
    }
    this.pidFixed = true;
    const { events } = this.ctx;
    events.push(this.ts++, this.pid, this.pid, op, addr, len, 0, no);
    if (c1 === 77 /* M */) events.push(this.ts++, this.pid, this.pid, Op.write, addr, len, 0, no);
  }

  /** Chatter, blank lines, and records this reader does not use. */
  private other(s: string, no: number): void {
    if (s.trim().length === 0) {
      this.ctx.counters.add('skipped_blank');
    } else if (s.charCodeAt(0) === 61 && s.charCodeAt(1) === 61 /* == */) {
      // valgrind prints `==PID== text` (or `==PID==` alone): anything else starting `==` is no chatter
      if (!CHATTER.test(s)) return this.bad(s, no);
      this.ctx.counters.add('skipped_valgrind_chatter');
      if (!this.pidFixed) {
        const end = s.indexOf('==', 2);
        const pid = end > 2 ? parseDec(s, 2, end) : BAD;
        if (pid > 0 && pid < 2 ** 31) this.pid = pid;
        this.pidFixed = true;
      }
    } else {
      const name = /^\s*([A-Za-z]+)\s/.exec(s)?.[1];
      if (name === undefined) return this.bad(s, no);
      // e.g. `SB 04016e8` from --trace-superblocks=yes
      this.ctx.counters.add('skipped_unknown_event');
      this.ctx.counters.add(`skipped.unknown_event.${name}`);
    }
  }

  private bad(s: string, no: number): void {
    this.ctx.issues.error({ code: 'bad-line', stage: 'ingest', file: this.ctx.file, line: no, text: s,
      expected: 'a lackey --trace-mem line: "I  ADDR,SIZE" or " L|S|M ADDR,SIZE" with ADDR in hex and SIZE in decimal, or a "==PID==" line' });
  }
}

/** A streaming reader for lackey output; `startTs` is the synthesised ts of its first event. */
export function createLackeyReader(ctx: ReaderContext, startTs = 0): TraceReader {
  return new LackeyReader(ctx, startTs);
}

const LACKEY_LINE = /^(?:I {2}| [LSM] )\s*[0-9a-fA-F]+,\d+\s*$/;

/** True when the first meaningful line of `head` is valgrind chatter or a lackey record. */
export function sniffLackey(head: string): boolean {
  for (const line of head.split('\n', 50)) {
    const s = line.replace(/\r$/, '');
    if (s.trim().length === 0) continue;
    return /^==\d+==/.test(s) || LACKEY_LINE.test(s);
  }
  return false;
}
