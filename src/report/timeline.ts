/**
 * `--timeline FILE`: the replay as Chrome trace-event JSON, which ui.perfetto.dev and
 * chrome://tracing open. Layout:
 * - one process per policy (pid = policy index + 1, named after the policy);
 * - one thread track per emulated task, with `B`/`E` slices that nest (fault, lock-wait:...,
 *   io-wait ...) and thread-scoped instant events (refcount failures, integrity violations,
 *   deadlocks, kernel BUGs). Track ids are assigned 1, 2, 3 ... across the file, because Perfetto
 *   keys threads by tid alone and every policy replays the same tids; the thread name carries
 *   the emulated tid and pid;
 * - lock holds as complete (`X`) slices on "holder slot" tracks per lock class and type
 *   (`lock mmap_lock rwsem:R #2`): holds of one class overlap (rwsem readers), so each hold goes
 *   to the first slot whose holds all ended before it started; a class uses as many slots as
 *   it ever had overlapping holders.
 * Timestamps are microseconds of emulated time, `cycles / (cpuGhz * 1000)`, rounded to the ns;
 * every policy starts at 0, so policies line up for comparison.
 *
 * Size is capped at `limit` events (default 1e6): past it, no new slice, instant or hold is
 * recorded, a global `timeline truncated` instant marks the spot, `truncated` is set for the CLI
 * to report, and only the `E` of slices already open are still written so every `B` has its `E`.
 * Slices still open when a policy ends (a deadlocked task) are closed at their track's last time.
 * Text goes to the sink in chunks as it is produced instead of one giant string.
 */
import type { LockType, TimelineRecorder } from '../replay/result.js';

/** Default event cap (`--timeline-limit`). */
export const DEFAULT_TIMELINE_LIMIT = 1_000_000;

/** Where the JSON text goes, chunk by chunk (the CLI's atomic file, or a string collector in tests). */
export interface TimelineSink {
  write(chunk: string): Promise<void> | void;
}

/** Options of the recorder. */
export interface TimelineOptions {
  /** Clock of the emulated CPUs, to turn cycles into time. */
  cpuGhz: number;
  limit?: number;
  /** Bytes buffered before a chunk goes to the sink. */
  chunkBytes?: number;
}

type Args = Record<string, string | number>;

interface Track {
  id: number;
  /** Per open slice: was its `B` written (false once truncated). */
  open: boolean[];
  lastNs: number;
}

/** Chrome trace-event JSON writer implementing the engine's TimelineRecorder. */
export class ChromeTraceRecorder implements TimelineRecorder {
  /** True once the event cap was reached and recording stopped. */
  truncated = false;
  /** Events written so far. */
  events = 0;
  private readonly limit: number;
  private readonly chunkBytes: number;
  private buf: string[] = [];
  private bufBytes = 0;
  private first = true;
  private pending: Promise<void> = Promise.resolve();
  private error: unknown;
  private pid = 0;
  private nextTrack = 1;
  private tasks = new Map<number, Track>();
  /** Per lock class and type: the max end (ns) of each holder slot and its track id. */
  private slots = new Map<string, { end: number[]; track: number[] }>();

  constructor(private readonly sink: TimelineSink, private readonly opts: TimelineOptions) {
    this.limit = opts.limit ?? DEFAULT_TIMELINE_LIMIT;
    this.chunkBytes = opts.chunkBytes ?? 1 << 18;
    this.buf.push('{"traceEvents":[\n');
  }

  private ns(cycles: number): number {
    return Math.round(cycles / this.opts.cpuGhz);
  }

  private emit(ev: Record<string, unknown>): void {
    const text = (this.first ? '' : ',\n') + JSON.stringify(ev);
    this.first = false;
    this.events++;
    this.buf.push(text);
    this.bufBytes += text.length;
    if (this.bufBytes >= this.chunkBytes) this.flush();
  }

  /** Hand the buffered text to the sink; a failed sink stops the recording (and the replay) with its error. */
  private flush(): void {
    if (this.error !== undefined) throw this.error;
    if (this.buf.length === 0) return;
    const chunk = this.buf.join('');
    this.buf = [];
    this.bufBytes = 0;
    try {
      const p = this.sink.write(chunk);
      if (p !== undefined) this.pending = this.pending.then(() => p).catch((e: unknown) => { this.error ??= e; });
    } catch (e) {
      this.error ??= e;
      throw e;
    }
  }

  /** True when one more event may be written; on the first refusal, marks the truncation. */
  private room(ns: number): boolean {
    if (this.truncated) return false;
    if (this.events < this.limit) return true;
    this.truncated = true;
    this.emit({ ph: 'i', s: 'g', pid: this.pid, tid: 0, ts: ns / 1000, name: `timeline truncated: limit of ${this.limit} events reached` });
    return false;
  }

  private meta(name: string, tid: number | undefined, args: Args): void {
    this.emit(tid === undefined ? { ph: 'M', pid: this.pid, name, args } : { ph: 'M', pid: this.pid, tid, name, args });
  }

  private track(tid: number): Track {
    let t = this.tasks.get(tid);
    if (t === undefined) {
      t = { id: this.nextTrack++, open: [], lastNs: 0 };
      this.tasks.set(tid, t);
      this.meta('thread_name', t.id, { name: `tid ${tid}` });
    }
    return t;
  }

  private closeAll(): void {
    for (const t of this.tasks.values()) {
      while (t.open.length > 0) {
        if (t.open.pop()) this.emit({ ph: 'E', pid: this.pid, tid: t.id, ts: t.lastNs / 1000, args: { unfinished: 1 } });
      }
    }
  }

  policy(index: number, label: string): void {
    this.closeAll();
    this.pid = index + 1;
    this.tasks = new Map();
    this.slots = new Map();
    this.meta('process_name', undefined, { name: `policy ${label}` });
    this.meta('process_sort_index', undefined, { sort_index: index });
  }

  task(pid: number, tid: number, name: string): void {
    if (this.tasks.has(tid)) return;
    const t = { id: this.nextTrack++, open: [], lastNs: 0 };
    this.tasks.set(tid, t);
    this.meta('thread_name', t.id, { name: `${name} (tid ${tid}, pid ${pid})` });
    this.meta('thread_sort_index', t.id, { sort_index: this.tasks.size });
  }

  begin(tid: number, name: string, cycles: number, args?: Args): void {
    const t = this.track(tid);
    const ns = Math.max(this.ns(cycles), t.lastNs);
    t.lastNs = ns;
    const ok = this.room(ns);
    t.open.push(ok);
    if (ok) this.emit(args ? { ph: 'B', pid: this.pid, tid: t.id, ts: ns / 1000, name, args } : { ph: 'B', pid: this.pid, tid: t.id, ts: ns / 1000, name });
  }

  end(tid: number, cycles: number): void {
    const t = this.track(tid);
    const ns = Math.max(this.ns(cycles), t.lastNs);
    t.lastNs = ns;
    if (t.open.pop()) this.emit({ ph: 'E', pid: this.pid, tid: t.id, ts: ns / 1000 });
  }

  instant(tid: number, name: string, cycles: number, args?: Args): void {
    const t = this.track(tid);
    const ns = Math.max(this.ns(cycles), t.lastNs);
    t.lastNs = ns;
    if (this.room(ns)) this.emit({ ph: 'i', s: 't', pid: this.pid, tid: t.id, ts: ns / 1000, name, args: args ?? {} });
  }

  lockHold(lock: string, type: LockType, tid: number, startCycles: number, endCycles: number): void {
    const start = this.ns(startCycles);
    const end = Math.max(start, this.ns(endCycles));
    if (!this.room(start)) return;
    const cls = `${lock} ${type}`;
    let s = this.slots.get(cls);
    if (s === undefined) this.slots.set(cls, (s = { end: [], track: [] }));
    let slot = s.end.findIndex((e) => e <= start);
    if (slot < 0) {
      slot = s.end.length;
      const id = this.nextTrack++;
      s.end.push(0);
      s.track.push(id);
      this.meta('thread_name', id, { name: `lock ${cls} #${slot + 1}` });
      this.meta('thread_sort_index', id, { sort_index: 100000 + id });
    }
    s.end[slot] = end;
    this.emit({ ph: 'X', pid: this.pid, tid: s.track[slot], ts: start / 1000, dur: (end - start) / 1000, name: cls, args: { tid } });
  }

  /** Close open slices, write the footer and wait until the sink took every chunk. */
  async finish(): Promise<void> {
    this.closeAll();
    this.buf.push(`\n],\n"displayTimeUnit":"ns",\n"otherData":${JSON.stringify({
      tool: 'mmreplay', clock: `emulated cycles at ${this.opts.cpuGhz} GHz, ts in microseconds`,
      events: this.events, limit: this.limit, truncated: this.truncated,
    })}}\n`);
    this.flush();
    await this.pending;
    if (this.error !== undefined) throw this.error;
  }
}
