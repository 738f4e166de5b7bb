/**
 * The event queue: a binary min-heap keyed by (cycle, seq). `seq` is a monotonic counter given at
 * `push`, so two events at the same cycle fire in the order they were scheduled and two runs of
 * the same input order every event identically (STYLE.md point 4, after SimPy's core).
 */

/** Something that happens at a cycle. */
export interface SimEvent {
  fire(): void;
}

export class EventHeap {
  private times: number[] = [];
  private seqs: number[] = [];
  private items: SimEvent[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  /** Cycle of the earliest event, or +Infinity when empty. */
  minTime(): number {
    return this.items.length > 0 ? this.times[0]! : Infinity;
  }

  push(time: number, item: SimEvent): void {
    const seq = this.nextSeq++;
    let i = this.items.length;
    this.times.push(time);
    this.seqs.push(seq);
    this.items.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(time, seq, this.times[p]!, this.seqs[p]!)) break;
      this.move(p, i);
      i = p;
    }
    this.set(i, time, seq, item);
  }

  /** Remove and return the earliest event; its cycle is in `lastTime`. */
  pop(): SimEvent | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = this.items[0]!;
    this.lastTime = this.times[0]!;
    const t = this.times.pop()!;
    const s = this.seqs.pop()!;
    const it = this.items.pop()!;
    if (n > 1) {
      let i = 0;
      const m = n - 1;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= m) break;
        const r = l + 1;
        const c = r < m && this.less(this.times[r]!, this.seqs[r]!, this.times[l]!, this.seqs[l]!) ? r : l;
        if (!this.less(this.times[c]!, this.seqs[c]!, t, s)) break;
        this.move(c, i);
        i = c;
      }
      this.set(i, t, s, it);
    }
    return top;
  }

  /** Cycle of the event most recently popped. */
  lastTime = 0;

  private less(t1: number, s1: number, t2: number, s2: number): boolean {
    return t1 < t2 || (t1 === t2 && s1 < s2);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.items[to] = this.items[from]!;
  }

  private set(i: number, t: number, s: number, it: SimEvent): void {
    this.times[i] = t;
    this.seqs[i] = s;
    this.items[i] = it;
  }
}
