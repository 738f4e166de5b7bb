/**
 * vma_merge() (mm/mmap.c 2.6.34; vma_merge_existing_range() today) as mprotect_fixup() calls it:
 * can [addr, end) with flags `flags`, carved out of `vma`, join the VMA before it (prev), the one
 * after it (next), or both? Every case ends in vma_adjust(), so each moved boundary is written
 * store by store (vma_adjust.ts). The kernel's case numbers:
 *
 *     AAAA             AAAA                AAAA          AAAA
 *    PPPPPPNNNNNN    PPPPPPNNNNNN    PPPPPPNNNNNN    PPPPNNNNXXXX
 *    cannot merge    might become    might become    might become
 *                    PPNNNNNNNNNN    PPPPPPPPPPNN    PPPPPPPPPPPP 6 or
 *                    case 4 below    case 5 below    PPPPPPPPXXXX 7 or
 *                                                    PPPPXXXXXXXX 8
 *        AAAA
 *    PPPP    NNNN    PPPPPPPPPPPP    PPPPPPPPNNNN    PPPPNNNNNNNN
 *    might become    case 1 below    case 2 below    case 3 below
 *
 * Case 4 (the boundary moves down: prev shrinks, next grows) and case 5 (it moves up) are what
 * Mel Gorman's 2010 reproducer drove, with compaction walking the shared anon_vma meanwhile.
 */
import type { Kernel, Thread } from '../kernel.js';
import type { AnonVma, Mm, Vma } from '../mm/mm_types.js';
import { PAGE_SIZE } from '../../ingest/schema.js';
import { nextVma, vma_adjust } from './vma_adjust.js';
import type { Path } from '../engine/task.js';

/** is_mergeable_anon_vma(): either side without an anon_vma, or the same one. */
function mergeableAnonVma(a: AnonVma | null, b: AnonVma | null): boolean {
  return a === null || b === null || a === b;
}

/** is_mergeable_vma(): same flags, same backing object, compatible anon_vma. */
function mergeable(v: Vma, flags: number, orig: Vma): boolean {
  return v.flags === flags && v.file === orig.file && v.sharedObject === orig.sharedObject && mergeableAnonVma(v.anonVma, orig.anonVma);
}

/**
 * Merge [addr, end) of `orig` (page offset `pgoff`) with its neighbours under `flags`; returns the
 * VMA that now covers it, or null when nothing merges (the caller splits instead).
 */
export function* vma_merge(k: Kernel, task: Thread, mm: Mm, prev: Vma | null, addr: number, end: number, flags: number, orig: Vma, pgoff: number): Path<Vma | null> {
  const pglen = (end - addr) / PAGE_SIZE;
  let next = prev !== null ? nextVma(mm, prev) : (mm.vmas[0] ?? null);
  const area = next;
  // Cases 6, 7, 8: the range ends where `area` ends; the candidate is the VMA after it.
  if (next !== null && next.vmEnd === end) next = nextVma(mm, next);
  // can_vma_merge_after(prev) and can_vma_merge_before(next): contiguous page offsets too.
  const after = prev !== null && prev.vmEnd === addr && mergeable(prev, flags, orig) && prev.vmPgoff + prev.pages === pgoff;
  const before = next !== null && end === next.vmStart && mergeable(next, flags, orig) && pgoff + pglen === next.vmPgoff;
  if (after) {
    if (before && mergeableAnonVma(prev.anonVma, next!.anonVma)) {
      // Cases 1, 6: prev absorbs the range and next.
      yield* vma_adjust(k, task, prev, prev.vmStart, next!.vmEnd, prev.vmPgoff);
    } else {
      // Cases 2, 5, 7: prev grows to `end` (into, or over, area).
      yield* vma_adjust(k, task, prev, prev.vmStart, end, prev.vmPgoff);
    }
    k.stats.count('vma_merges');
    return prev;
  }
  if (before) {
    const n = next!;
    if (prev !== null && addr < prev.vmEnd) {
      // Case 4: prev shrinks to `addr`; vma_adjust moves next's start and pgoff down with it.
      yield* vma_adjust(k, task, prev, prev.vmStart, addr, prev.vmPgoff);
    } else {
      // Cases 3, 8: area grows (or next grows down) to cover [addr, next's end).
      yield* vma_adjust(k, task, area!, addr, n.vmEnd, n.vmPgoff - pglen);
    }
    k.stats.count('vma_merges');
    return prev !== null && addr < prev.vmEnd ? n : area!;
  }
  return null;
}
