/**
 * The policy axes (docs/design.md section 3): every variant of every axis, oldest first. Adding a
 * variant is: copy a small file under variants/<axis>/, register it here.
 */
import { faultLockMmapNoretry } from './variants/fault_lock/mmap-noretry.js';
import { faultLockMmap } from './variants/fault_lock/mmap.js';
import { faultLockVmaSwapFallback } from './variants/fault_lock/vma-swap-fallback.js';
import { faultLockVmaRetry } from './variants/fault_lock/vma-retry.js';
import { faultLockVmaWait } from './variants/fault_lock/vma-wait.js';
import { fileFaultLockMmap } from './variants/file_fault_lock/mmap.js';
import { fileFaultLockVmaFallback } from './variants/file_fault_lock/vma-fallback.js';
import { fileFaultLockVma } from './variants/file_fault_lock/vma.js';
import { migrationWaitPagerefHold } from './variants/migration_wait/pageref-hold.js';
import { migrationWaitPagerefPut } from './variants/migration_wait/pageref-put.js';
import { migrationWaitPtl } from './variants/migration_wait/ptl.js';
import { wpReuseMapcount } from './variants/wp_reuse/mapcount.js';
import { wpReuseRefcount } from './variants/wp_reuse/refcount.js';
import { wpReuseAnonExclusive } from './variants/wp_reuse/anon-exclusive.js';
import { gupCowNone } from './variants/gup_cow/none.js';
import { gupCowBreak } from './variants/gup_cow/break.js';
import { gupCowUnshare } from './variants/gup_cow/unshare.js';
import { forkCowShare } from './variants/fork_cow/share.js';
import { forkCowEarlyCow } from './variants/fork_cow/early-cow.js';
import { forkCowEarlyCowAny } from './variants/fork_cow/early-cow-any.js';
import { swapinSwapcache } from './variants/swapin/swapcache.js';
import { swapinSkip } from './variants/swapin/skip.js';
import { swapinSkipPrepareTick } from './variants/swapin/skip-prepare-tick.js';
import { swapinSkipPrepareWq } from './variants/swapin/skip-prepare-wq.js';
import { rmapLockNone } from './variants/rmap_lock/none.js';
import { rmapLockVmaAdjustLock } from './variants/rmap_lock/vma-adjust-lock.js';
import { rmapLockAnonVmaRoot } from './variants/rmap_lock/anon-vma-root.js';import type { Policy, VariantInfo } from './types.js';

/** Axis names in canonical order (labels list overrides in this order). */
export const AXIS_NAMES = ['fault_lock', 'file_fault_lock', 'migration_wait', 'wp_reuse', 'gup_cow', 'fork_cow', 'swapin', 'rmap_lock'] as const;
export type AxisName = (typeof AXIS_NAMES)[number];

/** Variants per axis, oldest first. */
export const AXES: { readonly [A in AxisName]: readonly Policy[A][] } = {
  fault_lock: [faultLockMmapNoretry, faultLockMmap, faultLockVmaSwapFallback, faultLockVmaRetry, faultLockVmaWait],
  file_fault_lock: [fileFaultLockMmap, fileFaultLockVmaFallback, fileFaultLockVma],
  migration_wait: [migrationWaitPagerefHold, migrationWaitPagerefPut, migrationWaitPtl],
  wp_reuse: [wpReuseMapcount, wpReuseRefcount, wpReuseAnonExclusive],
  gup_cow: [gupCowNone, gupCowBreak, gupCowUnshare],
  fork_cow: [forkCowShare, forkCowEarlyCow, forkCowEarlyCowAny],
  swapin: [swapinSwapcache, swapinSkip, swapinSkipPrepareTick, swapinSkipPrepareWq],
  rmap_lock: [rmapLockNone, rmapLockVmaAdjustLock, rmapLockAnonVmaRoot],};

/** The variant of `axis` named `name`, or undefined. */
export function findVariant(axis: AxisName, name: string): VariantInfo | undefined {
  return (AXES[axis] as readonly VariantInfo[]).find((v) => v.name === name);
}
