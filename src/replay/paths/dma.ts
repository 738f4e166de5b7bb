/**
 * A device's DMA into and out of pages a process handed it through GUP: the `dma_write` and
 * `dma_read` ops. The device does not walk the page table: per page it uses the folio held by
 * this process's most recent pin or gup reference covering it (mm/gup_refs.ts), whatever the
 * process maps there now. That is the whole point of the COW-vs-GUP history (docs/kernel-sources.md C): when a
 * COW fault or fork gives the process another page, the device keeps the old one.
 *
 * Integrity oracle (docs/design.md section 2):
 * - dma_write adds a version to the process's view at that address (the slot the VMA maps now,
 *   or the one recorded with the reference once the mapping is gone) and stores it in the folio;
 * - dma_read through a longterm pin must see the process's latest version (a longterm pin is
 *   coherent with the CPU): otherwise `dma_lost_write` (older data of its own) or `dma_leak`
 *   (data from another process's lineage);
 * - dma_read through a gup reference or a short-term pin (or any reference whose mapping is gone)
 *   must see data of the process's own lineage no older than when the reference was taken (or
 *   than the last dma_write through it).
 * A page without a reference is counted (`dma_without_reference`) and skipped.
 */
import type { Kernel, Thread } from '../kernel.js';
import type { GupRef } from '../mm/gup_refs.js';
import type { Mm, Vma } from '../mm/mm_types.js';
import { LEAK, OK } from '../mm/oracle.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import { InvariantError } from '../../util/errors.js';
import { pageRange } from './do_mmap.js';
import type { OpArgs } from './op_args.js';
import type { Path } from '../engine/task.js';

/**
 * The VMA through which `ref`'s page is still mapped by the process (the same mapping, possibly
 * split or merged since), or null once munmap or exit removed it.
 */
export function mappingOf(mm: Mm, ref: GupRef): Vma | null {
  const vma = mm.findVma(ref.vpn * PAGE_SIZE);
  if (vma === null) return null;
  if (vma === ref.vma) return vma;
  // A split or merge keeps the anon_vma (private) or the object (shared) of the mapping.
  if (vma.anonVma !== null && vma.anonVma === ref.vma.anonVma) return vma;
  if (vma.isShared() && vma.sharedObject === ref.vma.sharedObject) return vma;
  return null;
}

/** The device writes one page through `ref`. */
function dmaWritePage(k: Kernel, task: Thread, ref: GupRef): void {
  const folio = ref.folio;
  if (folio === k.zeroFolio) {
    // A device writing through an R/O reference to the shared zero page: not modelled.
    k.stats.count('dma_write_zero_page');
    return;
  }
  const vma = mappingOf(task.mm, ref);
  const [view, key] = vma !== null ? k.oracleSlot(task.mm, vma, ref.vpn * PAGE_SIZE, true) : [ref.view, ref.key];
  folio.data = k.oracle.write(view, key);
  ref.atRef = folio.data;
}

/** The device reads one page through `ref`; the oracle judges what it got. */
function dmaReadPage(k: Kernel, task: Thread, ref: GupRef): void {
  const addr = ref.vpn * PAGE_SIZE;
  const data = ref.folio === k.zeroFolio ? 0 : ref.folio.data;
  const vma = ref.longterm ? mappingOf(task.mm, ref) : null;
  let r: number;
  if (vma !== null) {
    // Coherent: the process's latest version at that address.
    const [view, key] = k.oracleSlot(task.mm, vma, addr, false);
    r = k.oracle.check(view, k.oracle.expected(view, key), data);
  } else r = k.oracle.checkSnapshot(ref.view, ref.atRef, data);
  if (r !== OK) k.integrity(r === LEAK ? 'dma_leak' : 'dma_lost_write', task, addr);
}

/** dma_write / dma_read over the op's range. */
export function* dma_transfer(k: Kernel, task: Thread, a: OpArgs, write: boolean): Path<void> {
  const refs = k.gupRefs.of(task.mm);
  const [start, end] = pageRange(a.addr, a.len);
  for (let vpn = start / PAGE_SIZE; vpn < end / PAGE_SIZE; vpn++) {
    const ref = refs.latest(vpn);
    if (ref === undefined) {
      k.stats.count('dma_without_reference');
      continue;
    }
    // A reference holds the folio: it cannot have been freed.
    if (ref.folio.freed) throw new InvariantError('DMA through a reference to a freed folio', `folio ${ref.folio.id}`, ref.folio.recentHistory());
    // The transfer itself; the data lands (or is sampled) when it completes.
    yield k.costs.dma_page;
    if (write) dmaWritePage(k, task, ref);
    else dmaReadPage(k, task, ref);
  }
  task.path = write ? 'dma_write' : 'dma_read';
}
