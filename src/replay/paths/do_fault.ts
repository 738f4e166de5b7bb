/**
 * do_fault() (mm/memory.c): a none PTE in a file-backed or shared anonymous (shmem) VMA.
 * - do_read_fault(): fault-around first (do_fault_around -> filemap_map_pages: map the cached,
 *   uptodate, unlocked folios of the aligned 16-page window that have no PTE, skipping
 *   PG_readahead ones), then __do_fault() (filemap_fault / shmem_fault) and finish_fault().
 * - do_cow_fault(): a write to a private mapping: vmf_anon_prepare(), allocate, __do_fault(),
 *   copy the page-cache page into the new anonymous folio, map it writable.
 * - do_shared_fault(): a write to a shared mapping: __do_fault(), map writable and dirty, mark
 *   the folio dirty (no ->page_mkwrite in this model).
 * file_fault_lock: a VMA-locked fault under `vma-fallback` (6.5-6.6) runs fault-around under the
 * VMA lock and returns VM_FAULT_RETRY where a ->fault call would be needed (and at once for COW
 * and shared faults); under `vma` (6.7+) everything runs under the VMA lock, filemap_fault
 * itself dropping it for I/O. Shared mappings are mapped writable on a read fault when the VMA
 * is writable (no write-notify), so later writes mark the PTE dirty and reclaim writes them back.
 */
import { folio_unlock } from '../locks/folio_lock.js';
import { PG_ANON_EXCLUSIVE, PG_DIRTY, PG_READAHEAD, PG_UPTODATE, type Folio } from '../mm/folio.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import { PTE_DIRTY, PTE_NONE, PTE_PRESENT, PTE_WRITE, PTRS_PER_PTE, pteIndex, PTE_YOUNG } from '../mm/pagetable.js';
import { vmf_anon_prepare } from './anon_vma_prepare.js';
import { filemap_fault } from './filemap_fault.js';
import { VM_FAULT_OK, VM_FAULT_RETRY, type VmFault } from './vm_fault.js';
import type { Path } from '../engine/task.js';
import { modPow2 } from '../../util/math.js';
import { try_to_free_pages } from './shrink_folio_list.js';

/** fault_around_bytes default: 64 KiB = 16 pages. */
export const FAULT_AROUND_PAGES = 16;

export function* do_fault(vmf: VmFault): Path {
  const { k, task, vma } = vmf;
  task.path = 'file';
  if (!vmf.write) return yield* do_read_fault(vmf);
  if (vmf.vmaLocked && k.policy.file_fault_lock.retryFileUnderVmaLock) return retryUnderMmapLock(vmf);
  return vma.isShared() ? yield* do_shared_fault(vmf) : yield* do_cow_fault(vmf);
}

/** 6.5-6.6: "if (vmf->flags & FAULT_FLAG_VMA_LOCK) { vma_end_read(vma); return VM_FAULT_RETRY; }" */
function retryUnderMmapLock(vmf: VmFault): number {
  vmf.releaseFaultLock();
  vmf.k.stats.count('file_fault_vma_retries');
  return VM_FAULT_RETRY;
}

function* do_read_fault(vmf: VmFault): Path {
  const { k } = vmf;
  // Fault-around from 3.15 (8c6e50b0290c): the era says whether this kernel has it.
  if (vmf.k.policy.era.faultAround && (yield* do_fault_around(vmf))) return VM_FAULT_OK;
  if (vmf.vmaLocked && k.policy.file_fault_lock.retryFileUnderVmaLock) return retryUnderMmapLock(vmf);
  const r = yield* filemap_fault(vmf);
  if (r.folio === null) return r.ret;
  return r.ret | (yield* finish_fault(vmf, r.folio));
}

/** finish_fault() for a page-cache folio (locked, our reference becomes the PTE's). */
function* finish_fault(vmf: VmFault, folio: Folio): Path {
  const { k, task, mm, vma } = vmf;
  const t = mm.pt.ensure(vmf.vpn);
  const i = pteIndex(vmf.vpn);
  yield t.ptl.lock;
  if (t.kind[i] !== PTE_NONE) {
    // Somebody else mapped it meanwhile.
    t.ptl.unlock(task);
    folio_unlock(k.lockEnv, folio);
    k.pages.put(folio, 'finish_fault lost race');
    return VM_FAULT_OK;
  }
  let bits = 0;
  if (vma.isShared() && vma.isWritable()) bits = vmf.write ? PTE_WRITE | PTE_DIRTY : PTE_WRITE;
  if (vmf.write && vma.isShared()) folio.set(PG_DIRTY);
  folio.mapDelta(1, 'finish_fault');
  // do_set_pte(): mk_pte(page, vma->vm_page_prot) is young on x86 (_PAGE_ACCESSED in the protections).
  t.set(i, PTE_PRESENT, bits | PTE_YOUNG, folio, 0);
  t.ptl.unlock(task);
  folio_unlock(k.lockEnv, folio);
  yield k.costs.map_new_folio;
  return VM_FAULT_OK;
}

function* do_shared_fault(vmf: VmFault): Path {
  const r = yield* filemap_fault(vmf);
  if (r.folio === null) return r.ret;
  return r.ret | (yield* finish_fault(vmf, r.folio));
}

function* do_cow_fault(vmf: VmFault): Path {
  const { k, task, mm, vma } = vmf;
  const c = k.costs;
  if (!vmf_anon_prepare(vmf)) return VM_FAULT_RETRY;
  const copy = k.pages.allocFolio(task.runningCpu.node);
  yield c.folio_alloc;
  if (k.pages.overLimit()) yield* try_to_free_pages(k, task);
  const r = yield* filemap_fault(vmf);
  if (r.folio === null) {
    k.pages.put(copy, 'do_cow_fault retry');
    return r.ret;
  }
  const page = r.folio;
  // copy_user_highpage(), then the page-cache folio is unlocked and released.
  yield c.page_copy;
  copy.data = page.data;
  folio_unlock(k.lockEnv, page);
  k.pages.put(page, 'do_cow_fault');
  const t = mm.pt.ensure(vmf.vpn);
  const i = pteIndex(vmf.vpn);
  yield t.ptl.lock;
  if (t.kind[i] !== PTE_NONE) {
    t.ptl.unlock(task);
    k.pages.put(copy, 'do_cow_fault lost race');
    return r.ret;
  }
  copy.anonVma = vma.anonVma;
  copy.index = vmf.index;
  copy.mapDelta(1, 'do_cow_fault');
  copy.set(PG_ANON_EXCLUSIVE);
  k.pages.lru.add(copy.liveSlot('added to the LRU'));
  t.set(i, PTE_PRESENT, PTE_YOUNG | (vma.isWritable() ? PTE_WRITE | PTE_DIRTY : PTE_DIRTY), copy, 0);
  t.ptl.unlock(task);
  yield c.map_new_folio;
  k.stats.summary.cow_copies++;
  return r.ret;
}

/**
 * do_fault_around() -> filemap_map_pages(): map what the page cache already has around the
 * fault, under the PTL of the fault's PTE table; true when the faulting page got mapped.
 */
function* do_fault_around(vmf: VmFault): Path<boolean> {
  const { k, task, mm, vma } = vmf;
  const as = k.pageCache.mappingOf(vma);
  const tableStart = Math.floor(vmf.vpn / PTRS_PER_PTE) * PTRS_PER_PTE;
  const vmaFirst = Math.floor(vma.vmStart / PAGE_SIZE);
  const from = Math.max(vmf.vpn - modPow2(vmf.vpn, FAULT_AROUND_PAGES), vmaFirst, tableStart);
  const to = Math.min(from + FAULT_AROUND_PAGES, vmaFirst + vma.pages, tableStart + PTRS_PER_PTE);
  const t = mm.pt.ensure(vmf.vpn);
  const writable = vma.isShared() && vma.isWritable() ? PTE_WRITE : 0;
  let mapped = 0;
  let hit = false;
  yield t.ptl.lock;
  for (let vpn = from; vpn < to; vpn++) {
    const i = pteIndex(vpn);
    if (t.kind[i] !== PTE_NONE) continue;
    const f = as.folios.get(vma.linearIndex(vpn * PAGE_SIZE));
    // next_uptodate_folio(): skip locked, not uptodate, readahead-marked folios.
    if (f === undefined || f.locked || !f.has(PG_UPTODATE) || f.has(PG_READAHEAD)) continue;
    f.get(1, 'filemap_map_pages');
    f.mapDelta(1, 'filemap_map_pages');
    // Prefaulted PTEs are young on x86 too (arch_wants_old_prefaulted_pte() is arm64's).
    t.set(i, PTE_PRESENT, writable | PTE_YOUNG, f, 0);
    mapped++;
    if (vpn === vmf.vpn) hit = true;
  }
  t.ptl.unlock(task);
  if (mapped > 0) {
    const ra = as.raOf(mm.pid);
    ra.mmapMiss = Math.max(0, ra.mmapMiss - mapped);
    k.stats.count('fault_around_pages', mapped);
    yield mapped * k.costs.fault_around_page;
  }
  return hit;
}
