/**
 * The cost model (docs/style.md point 5): every figure a kernel path charges, in nanoseconds, each
 * with its source. Paths never hard-code numbers; they read `Costs` (cycles, converted once at
 * the machine's `--cpu-ghz`). `--costs FILE.json` overrides any figure by name.
 */
import { InputError } from '../util/errors.js';

/** One cost figure: value in ns and where it comes from. */
export interface CostDef {
  ns: number;
  source: string;
}

/**
 * Default figures. Sources: docs/kernel-sources.md's cost table (measured on a 6.18 VM, public
 * measurements), or "(inferred)" where the figure is an engineering estimate to calibrate.
 */
export const DEFAULT_COSTS = {
  /** A user-space load/store that hits a present PTE (TLB hit, L1/L2). */
  access_hit: { ns: 2, source: '(inferred) cache-resident access, ~6 cycles at 3 GHz' },
  /** Exception entry + exit around a fault (fault entry, pt_regs, iret). */
  fault_entry: { ns: 150, source: '(inferred) part of the ~0.9 us zero-page read fault measured on a 6.18 VM' },
  /** Page-table walk and VMA lookup work in handle_mm_fault (find_vma, pte offset map). */
  fault_walk: { ns: 120, source: '(inferred) part of the ~0.9 us zero-page read fault measured on a 6.18 VM' },
  /** Mapping the shared zero page read-only (set_pte_at of the zero pfn). */
  map_zero_page: { ns: 500, source: 'read fault mapping the zero page ~0.9 us total, measured on a 6.18 VM' },
  /** Allocating a folio from the buddy allocator (alloc_anon_folio / vma_alloc_folio). */
  folio_alloc: { ns: 300, source: '(inferred) anonymous write fault ~2 us total, measured on a 6.18 VM' },
  /** Zeroing a 4 KiB page (clear_page), cold/streaming. */
  page_zero: { ns: 300, source: '4 KiB zeroing 0.06 us hot, 0.3 us streaming, measured' },
  /** Copying a 4 KiB page (copy_mc_user_highpage), cold. */
  page_copy: { ns: 550, source: '4 KiB copy 0.11 us hot, 0.55 us cold, measured' },
  /** set_pte_at + rmap + LRU add + counters for a newly mapped anonymous folio. */
  map_new_folio: { ns: 600, source: '(inferred) anonymous write fault ~2 us total, measured on a 6.18 VM' },
  /** Uncontended lock acquire + release pair (atomic on a local cache line). */
  lock_uncontended: { ns: 5, source: 'uncontended lock acquire+release ~5 ns, measured' },
  /** Moving a lock's cache line from another CPU (one transfer). */
  cacheline_transfer: { ns: 50, source: '(inferred) ~100-200 cycles per contended transfer at 3 GHz; to calibrate' },
  /** lock_vma_under_rcu() beyond the mmap_lock path's find_vma: vma_start_read()'s two vm_lock_seq/mm_lock_seq checks, the vm_lock pointer, the detached and range re-checks, vma_end_read()'s RCU section. */
  vma_start_read: { ns: 7.5, source: 'calibrated to the pft-threads 1-thread ratio (per-VMA locks -0.5% faults/s, Punit Agrawal on the v2 series, lore 87r0uqq1f9.fsf@stealth); docs/calibration.md' },
  /** Context switch (schedule(), switch_mm, cache refill share). */
  context_switch: { ns: 2000, source: '(inferred) 1-3 us typical on x86 with PTI' },
  /** Wake-up latency of a sleeping task on an idle CPU (try_to_wake_up + idle exit). */
  wakeup: { ns: 1000, source: '(inferred) idle-exit + ttwu on a modern x86 server' },
  /** Timer tick handler (tick_sched_timer, scheduler_tick, RCU, timers). */
  tick: { ns: 1500, source: '(inferred) 1-5 us per tick; median of a lognormal with sigma 0.5' },
  /** Device completion interrupt handling on the submitting CPU. */
  irq_completion: { ns: 2000, source: '(inferred) blk-mq completion + softirq, a few us' },
  /** TLB shootdown, fixed part paid by the flusher. */
  tlb_shootdown_base: { ns: 1000, source: 'TLB shootdown ~1 us + ~0.2 us per target CPU, public measurement' },
  /** TLB shootdown, per target CPU. */
  tlb_shootdown_per_cpu: { ns: 200, source: 'TLB shootdown ~1 us + ~0.2 us per target CPU, public measurement' },
  /** IPI handling on a target CPU (flush_tlb_func). */
  ipi_handler: { ns: 500, source: '(inferred) IPI entry + local flush' },
  /** One VMA bookkeeping step (vma_adjust store, vma tree update, vma merge check). */
  vma_op: { ns: 40, source: '(inferred) one store plus maple-tree bookkeeping share' },
  /**
   * One vm_start/vm_end/vm_pgoff store of vma_adjust (a step of its own, so interrupts can land
   * between stores): priced like vma_op by default; a bare store is ~1 ns, so lowering this
   * narrows the rmap race window toward a real kernel's.
   */
  vma_store: { ns: 40, source: '(inferred) as vma_op: one field store plus its share of the vma_adjust bookkeeping around it' },
  /** Syscall entry/exit (mmap, munmap, mprotect, madvise, move_pages). */
  syscall: { ns: 100, source: '(inferred) syscall entry/exit with mitigations ~100 ns' },
  /** Per-PTE work in zap_pte_range / change_pte_range / copy_pte_range. */
  pte_op: { ns: 20, source: '(inferred) per-PTE loop body' },
  /** Freeing a folio back to the allocator. */
  folio_free: { ns: 150, source: '(inferred) free_unref_folios share' },
  /** zram read (lz4 decompress) of one page: median of a lognormal. */
  zram_read: { ns: 1700, source: 'zram read lz4 1.7 us (p99 3.6 us), public measurement' },
  /** zram write (lz4 compress) of one page. */
  zram_write: { ns: 3000, source: '(inferred) lz4 compress ~2x decompress' },
  /** NVMe 4 KiB read service time: median of a lognormal. */
  nvme_read: { ns: 90000, source: 'NVMe major fault 80-200 us, public measurement' },
  /** NVMe 4 KiB write service time. */
  nvme_write: { ns: 30000, source: '(inferred) NVMe write with write cache' },
  /** HDD 4 KiB random read service time (seek + rotation): median. */
  hdd_read: { ns: 7000000, source: 'HDD major fault 5-10 ms, public measurement' },
  /** HDD write (elevator-merged, write cache). */
  hdd_write: { ns: 3000000, source: '(inferred) HDD random write with cache' },
  /** zram read p99 (the lognormal's spread). */
  zram_read_p99: { ns: 3600, source: 'zram read lz4 1.7 us (p99 3.6 us), public measurement' },
  /** NVMe 4 KiB read p99 (the lognormal's spread). */
  nvme_read_p99: { ns: 200000, source: 'NVMe major fault 80-200 us, public measurement' },
  /** HDD random read p99 (the lognormal's spread). */
  hdd_read_p99: { ns: 12000000, source: '(inferred) HDD major fault 5-10 ms, public measurement; tail of a seek + rotation' },
  /** NVMe transfer of each further 4 KiB page of one request. */
  nvme_page_transfer: { ns: 1200, source: '(inferred) 4 KiB at ~3.4 GB/s sequential read' },
  /** HDD transfer of each further 4 KiB page of one request (no seek). */
  hdd_page_transfer: { ns: 27000, source: '(inferred) 4 KiB at ~150 MB/s sequential media rate' },
  /** CPU cost of submitting one block request (submit_bio, blk-mq, driver doorbell). */
  io_submit: { ns: 1500, source: '(inferred) submit_bio + blk-mq dispatch, 1-2 us per request' },
  /** One swap_map update under the cluster lock (swapcache_prepare, swap_free, swap_duplicate, swapcache_clear). */
  swap_map_update: { ns: 40, source: '(inferred) cmpxchg of a swap_map byte plus cluster bookkeeping; checked against 13ddaf26be32 (skip-prepare +2.1%), docs/calibration.md' },
  /** Swap-cache-only work per page: add_to_swap_cache() (xarray store under the irq-safe lock, stats, shadow) and its later delete. */
  swapcache_add: { ns: 520, source: 'calibrated to 13ddaf26be32 (zram 10 GiB: swapcache 13.16 s vs skip 10.93 s): xarray insert + later delete under the irq-safe lock, stats, shadow; docs/calibration.md' },
  /** add_to_page_cache / filemap_add_folio(): xarray store under i_pages lock, memcg charge, stats. */
  pagecache_add: { ns: 150, source: '(inferred) xarray store + memcg charge + stats' },
  /** filemap_map_pages() per page mapped by fault-around (xarray walk, refcount, set_pte, rmap). */
  fault_around_page: { ns: 40, source: '(inferred) per-page loop of filemap_map_pages' },
  /** shrink_folio_list() per folio: isolation, trylock, checks, __remove_mapping freeze. */
  reclaim_bookkeeping: { ns: 300, source: '(inferred) per-folio work of shrink_folio_list' },
  /** Per-page swap bookkeeping (swap cache lookup/add/delete, swap_map update). */
  swap_bookkeeping: { ns: 150, source: '(inferred) xarray op + swap_map update under the cluster lock' },
  /** One rmap step (anon_vma walk visiting one VMA, vma_address, page_vma_mapped_walk). */
  rmap_step: { ns: 60, source: '(inferred) per-VMA work of rmap_walk_anon' },
  /** Migration bookkeeping per folio (isolate, expected-refs check, new folio setup). */
  migrate_bookkeeping: { ns: 800, source: '(inferred) migrate_folio_unmap/move bookkeeping' },
  /** GUP per page (follow_page_mask, try_grab_folio). */
  gup_page: { ns: 80, source: '(inferred) per-page GUP fast path' },
  /** DMA transfer per 4 KiB page from the device's point of view. */
  dma_page: { ns: 400, source: '(inferred) ~10 GB/s device' },
  /** Fork fixed cost (dup_mm, task struct, mm setup). */
  fork_base: { ns: 50000, source: '(inferred) fork of a small process ~50-100 us' },
  /** Exit / mm teardown fixed cost. */
  exit_base: { ns: 20000, source: '(inferred) exit_mmap of a small process' },
  /** Page cache lookup (filemap_get_folio). */
  pagecache_lookup: { ns: 60, source: '(inferred) xarray lookup' },
  /** schedule_timeout_uninterruptible(1): one jiffy at HZ, computed from --hz; this is the floor. */
  timeout_min: { ns: 0, source: 'one jiffy = 1e9/HZ ns (13ddaf26be32 backoff); computed from --hz' },
} satisfies Record<string, CostDef>;

export type CostName = keyof typeof DEFAULT_COSTS;

/** Resolved costs in cycles, plus the machine's clock for conversions. */
export type Costs = { readonly [K in CostName]: number } & { readonly cyclesPerNs: number; readonly jiffy: number };

/**
 * The range every figure may be set to with --costs, in ns: 0 to 1 s. A larger figure replays
 * no kernel path anyone measured and makes the replay cross a tick per ms of it (1e15 ns for one
 * access did not finish).
 */
export const COST_RANGE_NS = { min: 0, max: 1e9 } as const;

/** Apply overrides (ns by name) to the defaults; unknown names or values outside COST_RANGE_NS are input errors. */
export function resolveCostsNs(overrides: Record<string, unknown> = {}, file = '--costs'): Record<CostName, number> {
  const out = Object.fromEntries(Object.entries(DEFAULT_COSTS).map(([k, v]) => [k, v.ns])) as Record<CostName, number>;
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in DEFAULT_COSTS)) {
      throw new InputError({ code: 'unknown-cost', stage: 'costs', file, text: k, expected: `a cost name; valid: ${Object.keys(DEFAULT_COSTS).join(', ')}` });
    }
    const ns = typeof v === 'number' ? v : typeof v === 'object' && v !== null && 'ns' in v ? (v as { ns: unknown }).ns : undefined;
    if (typeof ns !== 'number' || !Number.isFinite(ns) || ns < COST_RANGE_NS.min || ns > COST_RANGE_NS.max) {
      throw new InputError({ code: 'bad-cost', stage: 'costs', file, text: `${k}: ${JSON.stringify(v)}`,
        expected: `${k}: a number of ns from ${COST_RANGE_NS.min} to ${COST_RANGE_NS.max} (1 s), or {"ns": N}; see 'mmreplay list costs'` });
    }
    out[k as CostName] = ns;
  }
  return out;
}

/** Convert ns figures to integer cycles at `cpuGhz`; the jiffy comes from `hz`. */
export function toCycles(ns: Record<CostName, number>, cpuGhz: number, hz: number): Costs {
  const c: Record<string, number> = {};
  for (const [k, v] of Object.entries(ns)) c[k] = Math.round(v * cpuGhz);
  c.cyclesPerNs = cpuGhz;
  c.jiffy = Math.round((1e9 / hz) * cpuGhz);
  return c as Costs;
}
