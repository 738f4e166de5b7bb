/**
 * First-touch NUMA placement: a folio is allocated on the node of the CPU that faults it in
 * (alloc_anon_folio on numa_node_id()), whichever thread mapped the region. Where a folio lives
 * is read back through move_pages: a move to the node it is on is a no-op
 * (`migrate_same_node`), a move elsewhere migrates it.
 */
import { describe, expect, it } from 'vitest';
import { BASE, PAGE, run, type Row } from './harness.js';

/**
 * tid 1 maps 4 pages; tid 2 writes the first, tid 1 the second. With 2 CPUs on 2 nodes tid 1
 * (which maps the region) runs on CPU 0 (node 0) and tid 2 on CPU 1 (node 1).
 */
const touches: Row[] = [
  [0, 1, 1, 'mmap', BASE, 4 * PAGE, 0],
  [0, 1, 2, 'compute', 0, 0, 10],
  [1000, 1, 2, 'write', BASE],
  [1000, 1, 1, 'write', BASE + PAGE],
];

describe('NUMA first touch', () => {
  it('a page first touched on a CPU of node 1 is allocated on node 1, one touched on node 0 on node 0', () => {
    const rows: Row[] = [
      ...touches,
      [10_000, 1, 1, 'migrate', BASE, PAGE, 1],
      [20_000, 1, 1, 'migrate', BASE + PAGE, PAGE, 0],
      [30_000, 1, 1, 'migrate', BASE, PAGE, 0],
      [40_000, 1, 1, 'migrate', BASE + PAGE, PAGE, 1],
    ];
    const [r] = run(rows, ['linux-6.12'], { cpus: 2, nodes: 2 });
    // The first two moves find each page on the node asked for; the last two move them.
    expect(r!.counters.migrate_same_node).toBe(2);
    expect(r!.summary.migrate_ok).toBe(2);
    expect(r!.summary.migrate_failed).toBe(0);
    expect(r!.summary.integrity_violations).toBe(0);
  });

  it('with one node every page is on node 0', () => {
    const rows: Row[] = [...touches, [10_000, 1, 1, 'migrate', BASE, 2 * PAGE, 0]];
    const [r] = run(rows, ['linux-6.12'], { cpus: 2, nodes: 1 });
    expect(r!.counters.migrate_same_node).toBe(2);
    expect(r!.summary.migrate_ok ?? 0).toBe(0);
  });
});
