import { describe, expect, it } from 'vitest';
import { EventHeap, type SimEvent } from '../../../src/replay/engine/heap.js';

/** An event that knows its name; the heap never fires it here. */
const ev = (name: number): SimEvent & { name: number } => ({ name, fire: () => undefined });

/** Reference: a list kept sorted by (time, push order). */
class Model {
  private items: { t: number; seq: number; name: number }[] = [];
  private seq = 0;
  push(t: number, name: number): void {
    this.items.push({ t, seq: this.seq++, name });
    this.items.sort((a, b) => a.t - b.t || a.seq - b.seq);
  }
  pop(): { t: number; name: number } | undefined {
    return this.items.shift();
  }
  get min(): number {
    return this.items.length > 0 ? this.items[0]!.t : Infinity;
  }
}

describe('EventHeap', () => {
  it('pops events by (cycle, push order), through growth, interleaved pushes and replaceTop', () => {
    // A seeded LCG: a few thousand operations with many equal cycles (ties decided by seq).
    let x = 12345;
    const rnd = (n: number): number => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x % n;
    };
    const heap = new EventHeap();
    const model = new Model();
    let name = 0;
    for (let step = 0; step < 5000; step++) {
      const op = rnd(10);
      if (op < 5 || heap.size === 0) {
        const t = rnd(50) + (step >> 4);
        heap.push(t, ev(name));
        model.push(t, name++);
      } else if (op < 8) {
        const got = heap.pop() as ReturnType<typeof ev>;
        const want = model.pop()!;
        expect([got.name, heap.lastTime]).toEqual([want.name, want.t]);
      } else {
        // replaceTop's precondition: not before the earliest event.
        const t = heap.minTime() + rnd(3);
        const got = heap.replaceTop(t, ev(name)) as ReturnType<typeof ev>;
        model.push(t, name++);
        const want = model.pop()!;
        expect([got.name, heap.lastTime]).toEqual([want.name, want.t]);
      }
      expect(heap.minTime()).toBe(model.min);
    }
    expect(heap.size).toBeGreaterThan(64);
    while (heap.size > 0) expect((heap.pop() as ReturnType<typeof ev>).name).toBe(model.pop()!.name);
    expect(heap.pop()).toBeUndefined();
    expect(heap.minTime()).toBe(Infinity);
  });
});
