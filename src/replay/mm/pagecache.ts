/**
 * The page cache (mm/filemap.c): one address_space per file (`--disk` behind it) and per shared
 * anonymous object (shmem: a page-cache object with no disk I/O). An address_space maps a page
 * index to its folio (the cache holds one reference), keeps what the disk holds per index (the
 * data version written back last, for the oracle), the readahead state of each opener (struct
 * file's f_ra; one per process here), and an i_mmap_rwsem that file rmap walks take shared.
 *
 * Folio identity: `folio.file` is the address_space id (file ids as given by mmap's arg; shmem
 * objects get SHMEM_ID_BASE + their oracle object id), `folio.index` the page index.
 * Shmem folios are not put on the LRU: they are never reclaimed here (the kernel swaps them out
 * through shmem_writeout; not modelled).
 */
import type { KernelEnv } from './kernel_env.js';
import { RwSem } from '../locks/rwsem.js';
import { InvariantError } from '../../util/errors.js';
import { BlockDevice } from './device.js';
import type { Folio } from './folio.js';
import type { Vma } from './mm_types.js';

/** First address_space id of shmem objects (file ids from mmap's arg are 24-bit). */
export const SHMEM_ID_BASE = 2 ** 24;
/** Default readahead window (VM_READAHEAD_PAGES: 128 KiB = 32 pages). */
export const RA_PAGES = 32;
/** MMAP_LOTSAMISS: after this many more misses than hits, mmap read-around stops. */
export const MMAP_LOTSAMISS = 100;

/** file_ra_state: the readahead window of one opener. */
export interface FileRaState {
  start: number;
  size: number;
  asyncSize: number;
  mmapMiss: number;
}

/** One address_space. */
export class AddressSpace {
  readonly folios = new Map<number, Folio>();
  private readonly disk = new Map<number, number>();
  private readonly ra = new Map<number, FileRaState>();
  readonly iMmapRwsem: RwSem;

  constructor(
    k: KernelEnv,
    readonly id: number,
    readonly shmem: boolean,
  ) {
    this.iMmapRwsem = new RwSem(k.lockEnv, 'i_mmap_rwsem');
  }

  /** The readahead state of process `pid`'s open file. */
  raOf(pid: number): FileRaState {
    let r = this.ra.get(pid);
    if (r === undefined) {
      r = { start: 0, size: 0, asyncSize: 0, mmapMiss: 0 };
      this.ra.set(pid, r);
    }
    return r;
  }

  /** What the disk holds at `index` (version 0: never written). */
  diskData(index: number): number {
    return this.disk.get(index) ?? 0;
  }

  /** Writeback stores `version` at `index`. */
  writeDisk(index: number, version: number): void {
    this.disk.set(index, version);
  }

  /** filemap_add_folio(): the cache takes a reference (caller has the folio locked or new). */
  add(folio: Folio, index: number): void {
    if (this.folios.has(index)) throw new InvariantError(`page cache index ${index} of mapping ${this.id} already present`, `folio ${folio.id}`);
    folio.get(1, 'filemap_add_folio');
    folio.file = this.id;
    folio.index = index;
    this.folios.set(index, folio);
  }

  /** filemap_remove_folio(): drop the entry and the cache's reference. */
  remove(k: KernelEnv, folio: Folio): void {
    if (this.folios.get(folio.index) !== folio) throw new InvariantError('filemap_remove_folio of a folio not in the page cache', `folio ${folio.id}`, folio.recentHistory());
    this.folios.delete(folio.index);
    k.pages.put(folio, 'filemap_remove_folio');
  }
}

/** One kernel's page cache and disk. */
export class PageCache {
  private readonly spaces = new Map<number, AddressSpace>();

  constructor(
    private readonly k: KernelEnv,
    readonly device: BlockDevice,
  ) {}

  /** The address_space a VMA maps (vma->vm_file->f_mapping, or its shmem object). */
  mappingOf(vma: Vma): AddressSpace {
    const shmem = vma.file < 0;
    return this.byId(shmem ? SHMEM_ID_BASE + vma.sharedObject : vma.file, shmem);
  }

  /** The address_space of a page-cache folio, if it is one. */
  mappingOfFolio(folio: Folio): AddressSpace | undefined {
    return folio.file < 0 ? undefined : this.spaces.get(folio.file);
  }

  private byId(id: number, shmem: boolean): AddressSpace {
    let as = this.spaces.get(id);
    if (as === undefined) {
      as = new AddressSpace(this.k, id, shmem);
      this.spaces.set(id, as);
    }
    return as;
  }

  /** True when `vma` maps address_space `as`. */
  maps(vma: Vma, as: AddressSpace): boolean {
    if (vma.detached) return false;
    return as.shmem ? vma.file < 0 && vma.isShared() && SHMEM_ID_BASE + vma.sharedObject === as.id : vma.file === as.id;
  }
}
