/**
 * __split_vma() (mm/vma.c): split a VMA at `addr` into [vm_start, addr) and [addr, vm_end).
 * The new VMA shares the anon_vma chains (anon_vma_clone); the original is shrunk with
 * vma_adjust stores. Caller holds mmap_lock for write and has write-locked the VMA.
 */
import type { Kernel } from '../kernel.js';
import type { Mm } from '../mm/mm.js';
import type { Vma } from '../mm/vma.js';
import { PAGE_SIZE } from '../../ingest/schema.js';

/** Split `vma` at `addr` (page aligned, strictly inside); returns the upper part. */
export function split_vma(k: Kernel, mm: Mm, vma: Vma, addr: number): Vma {
  const upper = k.newVma(mm, addr, vma.vmEnd, vma.vmPgoff + (addr - vma.vmStart) / PAGE_SIZE, vma.flags, vma.file);
  upper.sharedObject = vma.sharedObject;
  upper.anonVma = vma.anonVma;
  upper.vmLockSeq = vma.vmLockSeq;
  for (const av of vma.anonChains) {
    upper.anonChains.push(av);
    av.link(upper);
  }
  vma.vmEnd = addr;
  mm.insertVma(upper);
  return upper;
}
