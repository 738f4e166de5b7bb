/**
 * copy_page_range() -> copy_pte_range() -> copy_present_pte() / copy_nonpresent_pte()
 * (mm/memory.c): fork copies one VMA's page table entries into the child, under mmap_lock for
 * write of both mms (dup_mmap.ts).
 *
 * Per PTE table: take the child's PTL, then the parent's (copy_pte_range). A present anonymous
 * page is either shared COW (folio reference + mapcount, both PTEs write-protected if the
 * mapping is private and writable) or, when the fork_cow policy says it may be DMA-pinned, copied
 * for the child right now (copy_present_page, 70e806e4e645). The copy needs a page allocated
 * beforehand: without one copy_present_pte returns -EAGAIN, both PTLs are dropped, a page is
 * allocated (page_copy_prealloc / folio_prealloc, which may sleep) and the table restarts at the
 * same entry. With the PageAnonExclusive scheme (5.19+) the decision sits in
 * folio_try_dup_anon_rmap_pte(): only exclusive pages may be pinned; they are copied when maybe
 * pinned, otherwise their exclusive flag is cleared (fb3d824d1a46).
 * Swap entries take a swap_map reference (swap_duplicate) and lose their exclusive bit in both
 * mms; migration entries are copied as they are, write entries made read in both mms (the
 * migrator's rmap walk restores both).
 */
import type { Kernel, Thread } from '../kernel.js';
import { PG_ANON_EXCLUSIVE, type Folio } from '../mm/folio.js';
import type { Mm, Vma } from '../mm/mm_types.js';
import { PTE_DIRTY, PTE_MIG_WRITE, PTE_MIGRATION, PTE_NONE, PTE_PRESENT, PTE_SWAP, PTE_WRITE, PTE_YOUNG, PTRS_PER_PTE, type PteTable } from '../mm/pagetable.js';
import { PTE_SWP_EXCLUSIVE } from '../mm/swap.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import type { Path } from '../engine/task.js';
import { modPow2 } from '../../util/math.js';
import { try_to_free_pages } from './shrink_folio_list.js';

/** copy_present_pte() needs a preallocated page (-EAGAIN in the kernel). */
const NEED_PREALLOC = -11;

/** raw_read_seqcount(&mm->write_protect_seq) is odd: a fork is write-protecting `mm`'s PTEs (GUP-fast backs off). */
export function forkInProgress(mm: Mm): boolean {
  return (mm.writeProtectSeq & 1) !== 0;
}

/** is_cow_mapping(): private and (may be) writable. VM_MAYWRITE is not modelled: private = COW. */
export function isCowMapping(vma: Vma): boolean {
  return !vma.isShared();
}

/**
 * vma_needs_copy(): a VMA without anon_vma (shared memory, file pages never written) is not
 * copied at all; the child faults those pages in from the page cache.
 */
function vma_needs_copy(src: Vma): boolean {
  return src.anonVma !== null;
}

/** The per-table state of a copy: the preallocated page, if any. */
interface CopyState {
  prealloc: Folio | null;
}

/** copy_page_range(): copy `src`'s PTEs into `dst` (the child's copy of the VMA). */
export function* copy_page_range(k: Kernel, task: Thread, dst: Vma, src: Vma): Path<void> {
  if (!vma_needs_copy(src)) return;
  const cow = isCowMapping(src);
  // raw_write_seqcount_begin(&src_mm->write_protect_seq) for COW mappings.
  if (cow) src.mm.writeProtectSeq++;
  const first = src.vmStart / PAGE_SIZE;
  const last = src.vmEnd / PAGE_SIZE;
  for (let vpn = first; vpn < last; ) {
    const tableEnd = Math.min(last, (Math.floor(vpn / PTRS_PER_PTE) + 1) * PTRS_PER_PTE);
    const st = src.mm.pt.lookup(vpn);
    if (st !== undefined && st.used > 0) yield* copy_pte_range(k, task, dst, src, vpn, tableEnd);
    vpn = tableEnd;
  }
  // raw_write_seqcount_end()
  if (cow) src.mm.writeProtectSeq++;
}

/** copy_pte_range(): one PTE table, child's PTL then parent's, restarting after a preallocation. */
function* copy_pte_range(k: Kernel, task: Thread, dst: Vma, src: Vma, start: number, end: number): Path<void> {
  const c = k.costs;
  const state: CopyState = { prealloc: null };
  let vpn = start;
  while (vpn < end) {
    // pte_alloc_map_lock() on the child, then the parent's PTL nested inside.
    const dt = dst.mm.pt.ensure(vpn);
    const st = src.mm.pt.lookup(vpn)!;
    yield dt.ptl.lock;
    yield st.ptl.lock;
    let work = 0;
    let ret = 0;
    for (; vpn < end; vpn++) {
      const i = modPow2(vpn, PTRS_PER_PTE);
      const kind = st.kind[i]!;
      if (kind === PTE_NONE) continue;
      work += c.pte_op;
      if (kind === PTE_PRESENT) {
        ret = copy_present_pte(k, task, dst, src, dt, st, i, state);
        if (ret === NEED_PREALLOC) break;
        if (ret > 0) work += ret;
      } else copy_nonpresent_pte(k, src, dt, st, i, kind);
    }
    // The copies and PTE stores above ran under both PTLs.
    if (work > 0) yield work;
    st.ptl.unlock(task);
    dt.ptl.unlock(task);
    if (ret === NEED_PREALLOC) {
      // folio_prealloc(): allocate outside the PTLs (may sleep), then redo this entry.
      k.stats.count('fork_prealloc_restarts');
      state.prealloc = k.pages.allocFolio(task.runningCpu.node);
      yield c.folio_alloc;
      if (k.pages.overLimit()) yield* try_to_free_pages(k, task);
    }
  }
  // An unused preallocated page goes back (folio_put(prealloc)).
  if (state.prealloc !== null) k.pages.put(state.prealloc, 'copy_pte_range unused prealloc');
}

/**
 * copy_present_pte(): share or copy one present page. Returns NEED_PREALLOC when the page must
 * be copied and no page is preallocated, otherwise the extra cycles spent (a page copy) or 0.
 */
function copy_present_pte(k: Kernel, task: Thread, dst: Vma, src: Vma, dt: PteTable, st: PteTable, i: number, state: CopyState): number {
  const folio = st.folioAt(i)!;
  // vm_normal_page() is NULL for the zero page: copy the PTE only.
  if (folio === k.zeroFolio) {
    copy_pte(src, dt, st, i);
    return 0;
  }
  if (folio.anonVma !== null) {
    if (anonMustCopy(k, src, folio)) {
      // The page may be pinned by the parent: give the child its own copy now.
      return copy_present_page(k, task, dst, dt, st, i, state);
    }
    // folio_try_dup_anon_rmap_pte() succeeded: the page is now possibly shared.
    if (k.policy.wp_reuse.tracksAnonExclusive) folio.clear(PG_ANON_EXCLUSIVE);
  }
  // folio_get() + folio_dup_{anon,file}_rmap_pte(): one more mapping, one more reference.
  folio.get(1, 'copy_present_pte');
  folio.mapDelta(1, 'copy_present_pte');
  copy_pte(src, dt, st, i);
  return 0;
}

/**
 * Whether fork must copy this anonymous page for the child. 5.9-5.18 (copy_present_page):
 * COW mapping, has_pinned, page_maybe_dma_pinned. 5.19+ (folio_try_dup_anon_rmap_pte): only an
 * exclusive page can be pinned; a possibly shared one is shared again without looking.
 */
function anonMustCopy(k: Kernel, src: Vma, folio: Folio): boolean {
  if (!isCowMapping(src)) return false;
  if (k.policy.wp_reuse.tracksAnonExclusive && !folio.has(PG_ANON_EXCLUSIVE)) return false;
  return k.policy.fork_cow.copyAtFork(src.mm.hasPinned, folio.maybeDmaPinned);
}

/** __copy_present_ptes(): write-protect a COW mapping's PTE in both mms, install the child's. */
function copy_pte(src: Vma, dt: PteTable, st: PteTable, i: number): void {
  let bits = st.bits[i]!;
  if (isCowMapping(src) && (bits & PTE_WRITE) !== 0) {
    // ptep_set_wrprotect() on the parent; the TLB flush comes once at the end (flush_tlb_mm).
    bits &= ~PTE_WRITE;
    st.bits[i] = bits;
  }
  // A shared mapping's PTE is made clean in the child (pte_mkclean); every child PTE is old (pte_mkold).
  if (src.isShared()) bits &= ~PTE_DIRTY;
  bits &= ~PTE_YOUNG;
  dt.set(i, PTE_PRESENT, bits, st.folioAt(i)!, 0);
}

/**
 * copy_present_page(): copy the page for the child under both PTLs, using the preallocated page;
 * the parent keeps its (maybe pinned) page and its writable PTE. Returns the copy's cycles.
 */
function copy_present_page(k: Kernel, task: Thread, dst: Vma, dt: PteTable, st: PteTable, i: number, state: CopyState): number {
  const copy = state.prealloc;
  if (copy === null) return NEED_PREALLOC;
  state.prealloc = null;
  const old = st.folioAt(i)!;
  // copy_user_highpage(), folio_add_new_anon_rmap(), folio_add_lru_vma().
  copy.data = old.data;
  copy.anonVma = dst.anonVma;
  copy.index = old.index;
  copy.mapDelta(1, 'copy_present_page');
  copy.set(PG_ANON_EXCLUSIVE);
  k.pages.lru.add(copy.liveSlot('added to the LRU'));
  // maybe_mkwrite(pte_mkdirty()): writable in the child if the VMA is.
  // mk_pte(): young, as a fault's (x86 vm_page_prot has _PAGE_ACCESSED).
  dt.set(i, PTE_PRESENT, PTE_YOUNG | (dst.isWritable() ? PTE_WRITE | PTE_DIRTY : PTE_DIRTY), copy, 0);
  k.stats.summary.fork_copies++;
  k.stats.refcountOutcome('fork_copy', 'copied', old.holder());
  k.timeline?.instant(task.tid, 'fork-copy', k.now, { folio: old.id });
  return k.costs.page_copy;
}

/** copy_nonpresent_pte(): swap and migration entries. */
function copy_nonpresent_pte(k: Kernel, src: Vma, dt: PteTable, st: PteTable, i: number, kind: number): void {
  if (kind === PTE_SWAP) {
    // swap_duplicate(): one more swap_map reference for the child's entry.
    const slot = st.swap[i]!;
    k.swap.duplicate(slot);
    // "Mark the swap entry as shared": pte_swp_clear_exclusive() in the parent, and so the child.
    const bits = st.bits[i]! & ~PTE_SWP_EXCLUSIVE;
    st.bits[i] = bits;
    dt.set(i, PTE_SWAP, bits, null, slot);
    return;
  }
  if (kind === PTE_MIGRATION) {
    let bits = st.bits[i]!;
    if (isCowMapping(src)) {
      // make_readable_migration_entry() in both: COW needs both read-only after migration, and a
      // readable (not readable_exclusive) entry restores the page as possibly shared. The model
      // keeps exclusivity on the folio, so drop it there.
      bits &= ~PTE_MIG_WRITE;
      st.bits[i] = bits;
      if (k.policy.wp_reuse.tracksAnonExclusive) st.folioAt(i)!.clear(PG_ANON_EXCLUSIVE);
    }
    dt.set(i, PTE_MIGRATION, bits, st.folioAt(i)!, 0);
  }
}
