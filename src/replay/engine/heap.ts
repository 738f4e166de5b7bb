/**
 * The event queue: a binary min-heap keyed by (cycle, seq). `seq` is a monotonic counter given at
 * `push`, so two events at the same cycle fire in the order they were scheduled and two runs of
 * the same input order every event identically (docs/style.md point 4, after SimPy's core).
 */

/** Something that happens at a cycle. */
export interface SimEvent {
  fire(): void;
}

export class EventHeap {
  // Keys in typed arrays, grown by doubling: no boxed numbers, no array length changes per op.
  private times = new Float64Array(64);
  private seqs = new Float64Array(64);
  private items: (SimEvent | null)[] = new Array<SimEvent | null>(64).fill(null);
  private n = 0;
  private nextSeq = 0;

  get size(): number {
    return this.n;
  }

  /** Cycle of the earliest event, or +Infinity when empty. */
  minTime(): number {
    return this.n > 0 ? this.times[0]! : Infinity;
  }

  push(time: number, item: SimEvent): void {
    const seq = this.nextSeq++;
    if (this.n === this.times.length) this.grow();
    let i = this.n++;
    const times = this.times;
    const seqs = this.seqs;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const tp = times[p]!;
      if (!(time < tp || (time === tp && seq < seqs[p]!))) break;
      this.move(p, i);
      i = p;
    }
    this.set(i, time, seq, item);
  }

  /** Remove and return the earliest event; its cycle is in `lastTime`. */
  pop(): SimEvent | undefined {
    if (this.n === 0) return undefined;
    const top = this.items[0]!;
    this.lastTime = this.times[0]!;
    const m = --this.n;
    if (m > 0) this.siftDown(this.times[m]!, this.seqs[m]!, this.items[m]!, m);
    this.items[m] = null;
    return top;
  }

  /**
   * Queue `item` at `time` and remove the earliest event, in one sift: the same as `push` then
   * `pop` when `time` is not before the earliest event (the caller's guarantee), since the new
   * event's seq is the largest. Returns the removed event; its cycle is in `lastTime`.
   */
  replaceTop(time: number, item: SimEvent): SimEvent {
    const top = this.items[0]!;
    this.lastTime = this.times[0]!;
    this.siftDown(time, this.nextSeq++, item, this.n);
    return top;
  }

  /** Cycle of the event most recently popped. */
  lastTime = 0;

  /** Place (t, s, it) from the root down among the first m slots. */
  private siftDown(t: number, s: number, it: SimEvent, m: number): void {
    const times = this.times;
    const seqs = this.seqs;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= m) break;
      const r = l + 1;
      let c = l;
      if (r < m) {
        const tr = times[r]!;
        const tl = times[l]!;
        if (tr < tl || (tr === tl && seqs[r]! < seqs[l]!)) c = r;
      }
      const tc = times[c]!;
      if (!(tc < t || (tc === t && seqs[c]! < s))) break;
      this.move(c, i);
      i = c;
    }
    this.set(i, t, s, it);
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const times = new Float64Array(cap);
    times.set(this.times);
    const seqs = new Float64Array(cap);
    seqs.set(this.seqs);
    this.times = times;
    this.seqs = seqs;
    for (let i = this.items.length; i < cap; i++) this.items.push(null);
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
