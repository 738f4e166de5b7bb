/**
 * Address-space layout shared by the scenarios: where regions go and how `mmap` args are built.
 * Regions sit 1 GiB apart in the usual mmap area below the stack, so scenarios never overlap
 * their own mappings by accident and every address stays far below 2^47 (and 2^53).
 */
import { MMAP_FILE, MMAP_FILE_ID_SHIFT, MMAP_RDONLY, MMAP_SHARED, PAGE_SIZE } from '../schema.js';

/** Base of region 0: a typical x86-64 mmap_base neighbourhood. */
export const REGION_BASE = 0x7f0000000000;
/** Distance between regions; a region can be at most this large. */
export const REGION_STRIDE = 1 << 30;
/** Largest mapping a scenario may ask for, in pages (one region). */
export const MAX_REGION_PAGES = REGION_STRIDE / PAGE_SIZE;

/** Start address of region `i`. */
export function region(i: number): number {
  return REGION_BASE + i * REGION_STRIDE;
}

/** Address of page `i` of a mapping at `base`. */
export function pageAddr(base: number, i: number): number {
  return base + i * PAGE_SIZE;
}

/** Bytes in `pages` pages. */
export function pagesLen(pages: number): number {
  return pages * PAGE_SIZE;
}

/** Pages in `mib` MiB. */
export function mibPages(mib: number): number {
  return (mib * 1024 * 1024) / PAGE_SIZE;
}

/** `mmap` arg of an anonymous mapping (MAP_PRIVATE, or MAP_SHARED when `shared`). */
export function anonMmapArg(shared = false): number {
  return shared ? MMAP_SHARED : 0;
}

/** `mmap` arg of a file-backed mapping of file `fileId` (bits 8-31). */
export function fileMmapArg(fileId: number, opts: { shared?: boolean; readOnly?: boolean } = {}): number {
  return (
    MMAP_FILE +
    (opts.shared ? MMAP_SHARED : 0) +
    (opts.readOnly ? MMAP_RDONLY : 0) +
    fileId * 2 ** MMAP_FILE_ID_SHIFT
  );
}
