/**
 * The emulated kernel: one per policy replay. It owns the machine state (address spaces, folios,
 * LRU, oracle, locks' statistics) and the helpers every path shares (folio lifetime, TLB
 * flushes, accounting). Paths live in ./paths, one module per kernel function, and receive the
 * Kernel plus the faulting Thread; they act on the model between yields and yield costs and
 * blocks (engine/task.ts).
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
import { Folio, FolioStore, NO_SLOT, PG_LRU, resetFolioHistory } from './mm/folio.js';
import { Mm } from './mm/mm.js';
import type { PteTable } from './mm/pagetable.js';
import { Vma, VM_SHARED } from './mm/vma.js';
import { AnonVma, spinAnonVmaLock, type AnonVmaLock } from './mm/anon_vma.js';
import { Oracle } from './mm/oracle.js';
import { ReplayStats } from './stats/replay_stats.js';
import { PAGE_SIZE } from '../ingest/schema.js';
import { InvariantError } from '../util/errors.js';
import type { Path } from './engine/task.js';

/** A traced thread: a Task plus what the current event's accounting needs. */
export class Thread extends Task {
  mm!: Mm;
  /** How the current event was served (`hit`, `anon`, `cow`, `swapin`, ...); set by paths. */
  path = '';
  /** VM_FAULT_RETRY count of the current event. */
  retries = 0;
  /** The current event took at least one page fault. */
  faulted = false;
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

/**
 * Set-up hooks every new Kernel runs at the end of its constructor: subsystems that live in
 * their own modules (swap, page cache, reclaim) install their state and hooks here at import.
 */
export const KERNEL_INITS: ((k: Kernel) => void)[] = [];

/** Everything a Kernel is built from. */
export interface KernelConfig {
  machine: MachineConfig;
  costs: Costs;
  policy: Policy;
  rng: Rng;
  timeline: TimelineRecorder | null;
}

export class Kernel {
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
  /** The state of every folio of this replay (FolioStore). */
  readonly folios = new FolioStore();
  /** The shared zero page: mapped read-only, never refcounted (is_zero_pfn). */
  readonly zeroFolio: Folio;
  /** Oracle views of shared objects by id (file id or shmem object). */
  private readonly objectViews = new Map<string, number>();
  private nextFolioId = 1;
  private nextAnonVmaId = 1;
  /** Resident folios (allocated, not freed), the figure --memory-limit bounds. */
  resident = 0;
  /** The most folios resident at once: the replay's memory footprint. */
  residentPeak = 0;
  /** LRU list head/tail (oldest first), for reclaim. */
  private lruHead = NO_SLOT;
  private lruTail = NO_SLOT;

  /**
   * swap_free() of one swap-entry reference (a zapped or copied-over swap PTE). The swap
   * subsystem (mm/swap.ts) installs itself here.
   */
  swapEntryFree: (slot: number) => void = (slot) => {
    throw new InvariantError(`swap entry ${slot} freed but no swap subsystem is installed`, 'swap');
  };

  /**
   * swap_duplicate() of one swap entry: fork copies a swap PTE into the child
   * (copy_nonpresent_pte), one more swap_map reference. The swap subsystem installs itself here.
   */
  swapDuplicate: (slot: number) => void = (slot) => {
    throw new InvariantError(`swap entry ${slot} duplicated but no swap subsystem is installed`, 'swap');
  };

  /**
   * Direct reclaim when resident memory exceeds --memory-limit; installed by the reclaim path.
   * Called by paths right after they allocate (as the allocator's slow path would).
   */
  reclaim: ((task: Thread) => Path<void>) | null = null;

  /** Yield to reclaim if over the memory limit (a no-op without --memory-limit). */
  *reclaimIfNeeded(task: Thread): Path<void> {
    if (this.needsReclaim()) yield* this.reclaim!(task);
  }

  /**
   * True when reclaimIfNeeded() would reclaim now: hot paths test this first and only then
   * create the generator (same decision at the same cycle, no allocation when not needed).
   */
  needsReclaim(): boolean {
    return this.reclaim !== null && this.memoryLimitPages > 0 && this.resident > this.memoryLimitPages;
  }

  /** --memory-limit in pages (0 = none). */
  readonly memoryLimitPages: number;

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
      cfg.rng.derive(1),
    );
    this.engine.timeline = cfg.timeline;
    this.lockEnv = { engine: this.engine, stats: this.lockStats, uncontended: cfg.costs.lock_uncontended, transfer: cfg.costs.cacheline_transfer };
    this.memoryLimitPages = m.memoryLimitBytes === null ? 0 : Math.floor(m.memoryLimitBytes / PAGE_SIZE);
    resetFolioHistory();
    this.zeroFolio = new Folio(0, 0, this.folios);
    this.zeroFolio.refcount = 1 << 30;
    for (const init of KERNEL_INITS) init(this);
  }

  /** Now, in cycles. */
  get now(): number {
    return this.engine.now;
  }

  /** A new, empty address space for `pid` (or a fork child's, filled by copy_page_range). */
  newMm(pid: number, view: number): Mm {
    const mm = new Mm(pid, new RwSem(this.lockEnv, 'mmap_lock'), () => new SpinLock(this.lockEnv, 'ptl'), this.folios);
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

  /** Allocate a folio on `node` (first touch: the faulting CPU's node). */
  allocFolio(node: number): Folio {
    return this.folios.folio(this.allocSlot(node));
  }

  /** allocFolio() without a handle: the new folio's slot in the FolioStore. */
  allocSlot(node: number): number {
    if (++this.resident > this.residentPeak) this.residentPeak = this.resident;
    return this.folios.alloc(this.nextFolioId++, node);
  }

  /** Allocate on the node of the CPU `task` runs on. */
  allocFolioFor(task: Task): Folio {
    return this.allocFolio(task.runningCpu.node);
  }

  /** Drop a reference; frees the folio when it was the last (folio_put). */
  putFolio(f: Folio, why: string): void {
    if (f === this.zeroFolio) return;
    if (f.put(1, why)) this.freeFolio(f);
  }

  /** Return a folio to the allocator (refcount already zero). */
  freeFolio(f: Folio): void {
    if (f.has(PG_LRU)) this.lruDel(f);
    f.freed = true;
    f.note('freed');
    this.resident--;
    // The slot goes back for the next folio; the handle keeps the last values.
    this.folios.release(f.slot);
  }

  /** folio_add_lru: newest at the tail. */
  lruAdd(f: Folio): void {
    this.lruAddSlot(f.liveSlot('added to the LRU'));
  }

  /** lruAdd() of the folio in slot `s` (a fault's new folio, which has no handle). */
  lruAddSlot(s: number): void {
    const st = this.folios;
    if ((st.flags[s]! & PG_LRU) !== 0) return;
    st.flags[s] |= PG_LRU;
    st.lruPrev[s] = this.lruTail;
    st.lruNext[s] = NO_SLOT;
    if (this.lruTail !== NO_SLOT) st.lruNext[this.lruTail] = s;
    else this.lruHead = s;
    this.lruTail = s;
  }

  /**
   * folio_rotate_reclaimable(): put a folio on the LRU at its head, the oldest end, which
   * reclaim scans first.
   */
  lruAddOldest(f: Folio): void {
    const st = this.folios;
    const s = f.liveSlot('added to the LRU');
    f.set(PG_LRU);
    st.lruPrev[s] = NO_SLOT;
    st.lruNext[s] = this.lruHead;
    if (this.lruHead !== NO_SLOT) st.lruPrev[this.lruHead] = s;
    else this.lruTail = s;
    this.lruHead = s;
  }

  /** Remove from the LRU (isolation, free). */
  lruDel(f: Folio): void {
    if (!f.has(PG_LRU)) return;
    const st = this.folios;
    const s = f.slot;
    f.clear(PG_LRU);
    const prev = st.lruPrev[s]!;
    const next = st.lruNext[s]!;
    if (prev !== NO_SLOT) st.lruNext[prev] = next;
    else this.lruHead = next;
    if (next !== NO_SLOT) st.lruPrev[next] = prev;
    else this.lruTail = prev;
    st.lruPrev[s] = st.lruNext[s] = NO_SLOT;
  }

  /** The oldest folio on the LRU, or null. */
  lruOldest(): Folio | null {
    return this.lruHead === NO_SLOT ? null : this.folios.folio(this.lruHead);
  }

  /** The folio after `f` on the LRU (newer), or null. */
  lruNewer(f: Folio): Folio | null {
    const n = this.folios.lruNext[f.slot]!;
    return n === NO_SLOT ? null : this.folios.folio(n);
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

  /** Per-event output (events.arrow), if requested. */
  events: EventRecorder | null = null;
  /** Threads of forked processes, started by fork() once the child's mm exists. */
  readonly pendingProcesses = new Map<number, Thread[]>();
  /** Checks run when the replay ends (e.g. stale migration entries left behind). */
  readonly endChecks: (() => void)[] = [];

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
