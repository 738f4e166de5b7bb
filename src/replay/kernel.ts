/**
 * The emulated kernel: one per policy replay, built whole in its constructor from plain imports
 * (docs/architecture.md): the engine, the page allocator with the folio store, history and LRU
 * (mm/page_alloc.ts), the swap area and swap cache (mm/swap.ts) on the --swap device, the page
 * cache (mm/pagecache.ts) on the --disk device, the oracle and the statistics. GUP references
 * live on each Mm (mm/gup_refs.ts); direct reclaim is a path (paths/shrink_folio_list.ts
 * try_to_free_pages) that allocating paths call when the page allocator is over --memory-limit.
 * Paths live in ./paths, one module per kernel function, and receive the Kernel plus the faulting
 * Thread; they act on the model between yields and yield costs and blocks (engine/task.ts).
 */
import { Engine } from './engine/engine.js';
import { Task } from './engine/task.js';
import type { Costs } from './costs.js';
import type { Policy } from './policies/types.js';
import type { Rng } from '../util/rng.js';
import type { EventRecorder, MachineConfig, TimelineRecorder } from './result.js';
import { LockStats } from './locks/lockstat.js';
import type { LockEnv } from './locks/env.js';
import { RwSem } from './locks/rwsem.js';
import { SpinLock } from './locks/spinlock.js';
import type { Folio } from './mm/folio.js';
import type { KernelEnv } from './mm/kernel_env.js';
import { PageAllocator } from './mm/page_alloc.js';
import { PageCache } from './mm/pagecache.js';
import { SwapInfo } from './mm/swap.js';
import { BlockDevice } from './mm/device.js';
import { GupRefTable } from './mm/gup_refs.js';
import { RNG_STREAMS } from '../util/rng_streams.js';
import { Mm, Vma, VM_SHARED, AnonVma, spinAnonVmaLock, type AnonVmaLock } from './mm/mm_types.js';
import type { PteTable } from './mm/pagetable.js';
import { Oracle } from './mm/oracle.js';
import { ReplayStats } from './stats/replay_stats.js';
import { PAGE_SIZE } from '../ingest/schema.js';

/** A traced thread: a Task plus what the current event's accounting needs. */
export class Thread extends Task {
  mm!: Mm;
  /** How the current event was served (`hit`, `anon`, `cow`, `swapin`, ...); set by paths. */
  path = '';
  /** VM_FAULT_RETRY count of the current event. */
  retries = 0;
  /** The current event took at least one page fault. */
  faulted = false;
  /** tryAccess()'s argument for tryAccessAt (paths/cpu_access.ts), one address. */
  readonly oneAddr = new Float64Array(1);
  /** SIGKILLed by the OOM killer (paths/out_of_memory.ts): exits at its next row; GUP and fault loops stop. */
  oomKilled = false;
  /** PF_MEMALLOC: the thread is in direct reclaim (no recursion into it). */
  memalloc = false;
  exited = false;
  /** One-entry VMA cache for the access hit path (like the old mm->mmap_cache). */
  lastVma: Vma | null = null;
  /** One-entry PTE-table cache for the hit path. */
  lastTable: PteTable | undefined = undefined;
  lastTableNo = -1;
  lastTableMm: Mm | null = null;
  /**
   * One-entry cache of the oracle chunk the hit path used last: chunk `lastChunkNo` of view
   * `lastChunkView` (Oracle.chunkOf; a chunk's array is never replaced once it exists). Per
   * thread, so threads of one process that touch different chunks in turn do not evict each
   * other as they do in the view's own one-entry cache.
   */
  lastChunkView = -1;
  lastChunkNo = -1;
  lastChunk: Float64Array | undefined = undefined;
}

/** Everything a Kernel is built from. */
export interface KernelConfig {
  machine: MachineConfig;
  costs: Costs;
  policy: Policy;
  rng: Rng;
  timeline: TimelineRecorder | null;
}

export class Kernel implements KernelEnv {
  readonly engine: Engine;
  readonly costs: Costs;
  readonly policy: Policy;
  readonly rng: Rng;
  readonly machine: MachineConfig;
  readonly lockStats = new LockStats();
  readonly lockEnv: LockEnv;
  readonly stats = new ReplayStats();
  readonly oracle = new Oracle();
  readonly timeline: TimelineRecorder | null;
  readonly mms = new Map<number, Mm>();
  readonly threads: Thread[] = [];
  /** Folio allocation and lifetime, the folio store, the LRU and the --memory-limit count. */
  readonly pages: PageAllocator;
  /** The shared zero page (pages.zero): mapped read-only, never refcounted (is_zero_pfn). */
  readonly zeroFolio: Folio;
  /** The swap area and swap cache on the --swap device. */
  readonly swap: SwapInfo;
  /** The page cache (files and shmem) on the --disk device. */
  readonly pageCache: PageCache;
  /** The FOLL_PIN pins and FOLL_GET references each process holds (gup_refs.ts). */
  readonly gupRefs = new GupRefTable();
  /** Per-event output (events.arrow), if requested. */
  events: EventRecorder | null = null;
  /** Threads of forked processes, started by fork() once the child's mm exists. */
  readonly pendingProcesses = new Map<number, Thread[]>();
  /** Oracle views of shared objects by id (file id or shmem object). */
  private readonly objectViews = new Map<string, number>();
  private nextAnonVmaId = 1;
  /** Shared anonymous mappings made so far (their shmem object names, paths/do_mmap.ts). */
  shmObjects = 0;

  constructor(cfg: KernelConfig) {
    this.machine = cfg.machine;
    this.costs = cfg.costs;
    this.policy = cfg.policy;
    this.rng = cfg.rng;
    this.timeline = cfg.timeline;
    this.lockStats.timeline = cfg.timeline;
    const m = cfg.machine;
    this.engine = new Engine(
      {
        cpus: m.cpus,
        nodes: m.nodes,
        tickPeriod: cfg.costs.jiffy,
        tickCost: cfg.costs.tick,
        contextSwitch: cfg.costs.context_switch,
        wakeup: cfg.costs.wakeup,
      },
      cfg.rng.derive(RNG_STREAMS.engine),
    );
    this.engine.timeline = cfg.timeline;
    this.lockEnv = { engine: this.engine, stats: this.lockStats, uncontended: cfg.costs.lock_uncontended, transfer: cfg.costs.cacheline_transfer };
    this.pages = new PageAllocator(m.memoryLimitBytes);
    this.zeroFolio = this.pages.zero;
    this.swap = new SwapInfo(this, new BlockDevice(this, m.swap, 'swap', cfg.rng.derive(RNG_STREAMS.swapDevice)));
    this.pageCache = new PageCache(this, new BlockDevice(this, m.disk, 'disk', cfg.rng.derive(RNG_STREAMS.disk)));
  }

  /** Now, in cycles. */
  get now(): number {
    return this.engine.now;
  }

  /** A new, empty address space for `pid` (or a fork child's, filled by copy_page_range). */
  newMm(pid: number, view: number): Mm {
    const mm = new Mm(pid, new RwSem(this.lockEnv, 'mmap_lock'), () => new SpinLock(this.lockEnv, 'ptl'), this.pages.store);
    mm.view = view;
    this.mms.set(pid, mm);
    return mm;
  }
  /** A new VMA (not yet inserted). */
  newVma(mm: Mm, start: number, end: number, pgoff: number, flags: number, file = -1): Vma {
    const vma = new Vma(mm, start, end, pgoff, flags, new RwSem(this.lockEnv, 'vma_lock'), file);
    if (this.policy.rmap_lock.perVmaAdjustLock) vma.adjustLock = new SpinLock(this.lockEnv, 'vma_adjust_lock');
    return vma;
  }

  /** A new anon_vma (anon_vma_prepare / anon_vma_fork), rooted at `root` or its own root. */
  newAnonVma(root: AnonVma | null): AnonVma {
    const rl = this.policy.rmap_lock;
    // 2.6.35+ (lockRoot): one lock per anon_vma tree, the root's (012f18004da3); 2.6.34: each
    // anon_vma has its own lock, a spinlock then, an rwsem since 3.8 (rmap_lock.anonVmaLock).
    let lock: AnonVmaLock;
    if (rl.lockRoot && root !== null) lock = root.root.lock;
    else if (rl.anonVmaLock === 'rwsem') lock = new RwSem(this.lockEnv, 'anon_vma');
    else lock = spinAnonVmaLock(new SpinLock(this.lockEnv, 'anon_vma'));
    return new AnonVma(this.nextAnonVmaId++, lock, root);
  }

  /** The oracle view of a shared object (`file:<id>`, `shm:<id>`), created on first use. */
  objectView(key: string): number {
    let v = this.objectViews.get(key);
    if (v === undefined) {
      v = this.oracle.newView();
      this.objectViews.set(key, v);
    }
    return v;
  }

  /**
   * Where an access to `addr` in `vma` lands in the oracle: [view, key]. Shared mappings use the
   * object's view keyed by page index; private mappings the process's view keyed by page
   * number, except private file pages never written by the process, which read the file's.
   */
  oracleSlot(mm: Mm, vma: Vma, addr: number, write: boolean): [number, number] {
    const vpn = Math.floor(addr / PAGE_SIZE);
    if ((vma.flags & VM_SHARED) !== 0) return [vma.sharedObject, vma.linearIndex(addr)];
    if (vma.file >= 0 && !write && !this.oracle.written(mm.view, vpn)) return [vma.sharedObject, vma.linearIndex(addr)];
    return [mm.view, vpn];
  }

  /**
   * TLB flush after changing PTEs of `mm` (ptep_clear_flush, flush_tlb_range): every other CPU
   * that may cache the mm's translations gets an IPI and the flusher waits for them. Returns the
   * flusher's cycles; the targets are charged their handler time as an interrupt.
   */
  flushTlb(task: Task, mm: Mm): number {
    let targets = 0;
    const self = task.cpu;
    for (const c of this.engine.cpus) {
      if (c !== self && c.tlbPid === mm.pid) {
        c.interrupt(this.costs.ipi_handler);
        targets++;
      }
    }
    if (targets === 0) return 0;
    this.stats.count('tlb_shootdowns');
    return this.costs.tlb_shootdown_base + targets * this.costs.tlb_shootdown_per_cpu;
  }

  /** Start the threads of `pid` (a fork child) at `cycle`. */
  startProcess(pid: number, cycle: number): void {
    const threads = this.pendingProcesses.get(pid) ?? [];
    this.pendingProcesses.delete(pid);
    const mm = this.mms.get(pid)!;
    for (const t of threads) {
      t.mm = mm;
      mm.users++;
      this.engine.start(t, cycle);
    }
  }

  /** Record an integrity finding of `task` at `addr`. */
  integrity(kind: string, task: Thread, addr: number): void {
    this.stats.integrityFinding(kind, task.tid, addr, this.now);
    this.timeline?.instant(task.tid, 'integrity-violation', this.now, { kind, addr: `0x${addr.toString(16)}` });
  }

  /** Record a kernel BUG finding (e.g. a stale migration entry found by a fault). */
  kernelBug(message: string, detail: string[]): void {
    this.stats.findings.push({ kind: 'kernel_bug', message, cycles: this.now, detail });
  }
}
