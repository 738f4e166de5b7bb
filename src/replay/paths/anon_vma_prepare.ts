/**
 * anon_vma_prepare() (mm/rmap.c) and vmf_anon_prepare() (mm/memory.c, 6.7+): a VMA gets its
 * anon_vma on its first anonymous page. Under the VMA lock this cannot be done (it needs
 * mmap_lock to serialise with merges), so the fault returns VM_FAULT_RETRY and redoes it under
 * mmap_lock: the first write fault in every fresh VMA takes mmap_lock.
 */
import type { Kernel } from '../kernel.js';
import type { Vma } from '../mm/mm_types.js';
import type { VmFault } from './vm_fault.js';

/** Give `vma` an anon_vma if it has none (caller holds mmap_lock). */
export function anon_vma_prepare(k: Kernel, vma: Vma): void {
  if (vma.anonVma !== null) return;
  const av = k.newAnonVma(null);
  vma.anonVma = av;
  vma.anonChains.push(av);
  av.link(vma);
}

/**
 * vmf_anon_prepare(): true when the fault may go on; false = it dropped the VMA lock, RETRY.
 * Under the VMA lock: 6.10+ (the era's `trylock`) takes mmap_lock with mmap_read_trylock() and
 * prepares the anon_vma there, retrying only when the trylock fails; before (6.7-6.9's
 * vmf_anon_prepare, and the bail-out in lock_vma_under_rcu that keeps such VMAs off this path)
 * it returns VM_FAULT_RETRY.
 */
export function vmf_anon_prepare(vmf: VmFault): boolean {
  if (vmf.vma.anonVma !== null) return true;
  if (vmf.vmaLocked) {
    const mmap = vmf.mm.mmapLock;
    if (vmf.k.policy.era.anonVmaUnderVmaLock === 'trylock' && mmap.tryLock(vmf.task, false)) {
      anon_vma_prepare(vmf.k, vmf.vma);
      mmap.unlock(vmf.task);
      return true;
    }
    vmf.vma.lock.unlock(vmf.task);
    return false;
  }
  anon_vma_prepare(vmf.k, vmf.vma);
  return true;
}
