/**
 * Recent folio events, for invariant reports: one ring per FolioStore of (folio id, refcount,
 * mapcount, reason) instead of per-folio strings, so the hot path allocates nothing. A replay's
 * folios share their store's ring; a freed folio's handle keeps writing to it (folio.ts).
 */

/** Events kept per store. */
const RING = 1 << 16;

export class FolioHistory {
  private readonly id = new Int32Array(RING);
  private readonly ref = new Int32Array(RING);
  private readonly map = new Int32Array(RING);
  private readonly why: string[] = new Array<string>(RING).fill('');
  private pos = 0;

  /** Record an event of folio `id` with its counts after the event. */
  note(id: number, refcount: number, mapcount: number, why: string): void {
    const i = this.pos;
    this.id[i] = id;
    this.ref[i] = refcount;
    this.map[i] = mapcount;
    this.why[i] = why;
    this.pos = (i + 1) % RING;
  }

  /** The last `max` recorded events of folio `id`, oldest first. */
  of(id: number, max = 16): string[] {
    const out: string[] = [];
    for (let k = 1; k <= RING && out.length < max; k++) {
      const i = (this.pos - k + RING) % RING;
      if (this.id[i] === id && this.why[i] !== '') out.push(`${this.why[i]}: refcount ${this.ref[i]}, mapcount ${this.map[i]}`);
    }
    return out.reverse();
  }
}
