/**
 * Era facts of each preset: kernel behaviour the replay models that is not one of the debates'
 * axes, as the release read at its .0 tag did it (docs/era-findings.md has the source lines; file,
 * function and commit are named per field). A policy carries its preset's era whatever axis
 * overrides it has (`linux-6.8+swapin=skip` is 6.8's kernel with another swap-in), so no path
 * parses a preset name.
 */
export interface KernelEra {
  /** The release, for reports. */
  readonly release: string;
  /**
   * do_fault_around() -> ->map_pages() (mm/memory.c, 8c6e50b0290c, 3.15): a read fault on a
   * file page maps the cached pages around it. Absent in 2.6.34 (one page per fault).
   */
  readonly faultAround: boolean;
  /**
   * mm->write_protect_seq (57efa1fe5957, 5.11; 5.10.y only by backport): FOLL_PIN GUP-fast backs
   * off while fork write-protects the mm (mm/gup.c lockless_pages_from_mm). Before it a pin can
   * race copy_page_range().
   */
  readonly gupFastForkSeqcount: boolean;
  /**
   * move_pages() holds mmap_lock for read across the whole migration (mm/migrate.c
   * do_move_page_to_node_array) before 4.17; from 4.17 only around the page lookup.
   */
  readonly movePagesMmapLockAcross: boolean;
  /**
   * An anonymous VMA without anon_vma under the per-VMA lock (6.4+): `bail`: lock_vma_under_rcu()
   * refuses it ("if (!vma->anon_vma) goto inval", 6.4-6.9), the fault takes mmap_lock at once;
   * `trylock`: 6.10+ __vmf_anon_prepare(): mmap_read_trylock(), prepare and go on under the VMA
   * lock, VM_FAULT_RETRY only if the trylock fails.
   */
  readonly anonVmaUnderVmaLock: 'bail' | 'trylock';
  /**
   * A major fault retried from the VMA-lock path carries FAULT_FLAG_TRIED (arch/x86/mm/fault.c,
   * 46e714c729c8, 6.7): its retry under mmap_lock may not drop the lock again.
   */
  readonly vmaRetryTried: boolean;
  /**
   * The -EEXIST loop of __read_swap_cache_async() (mm/swap_state.c): `none` retries at once
   * (2.6.34 read_swap_cache_async: a bare continue), `cond_resched` (to 5.18), `tick`
   * (schedule_timeout_uninterruptible(1), 029c4628b2eb, 5.19 on).
   */
  readonly swapcacheEexistWait: 'none' | 'cond_resched' | 'tick';
}

const era = (release: string, e: Omit<KernelEra, 'release'>): KernelEra => ({ release, ...e });

/** The era of every preset (keys as in presets.ts). */
export const ERAS: Readonly<Record<string, KernelEra>> = {
  'linux-2.6.34-rc': era('2.6.34', { faultAround: false, gupFastForkSeqcount: false, movePagesMmapLockAcross: true, anonVmaUnderVmaLock: 'bail', vmaRetryTried: false, swapcacheEexistWait: 'none' }),
  'linux-5.8': era('5.8', { faultAround: true, gupFastForkSeqcount: false, movePagesMmapLockAcross: false, anonVmaUnderVmaLock: 'bail', vmaRetryTried: false, swapcacheEexistWait: 'cond_resched' }),
  'linux-5.10': era('5.10', { faultAround: true, gupFastForkSeqcount: false, movePagesMmapLockAcross: false, anonVmaUnderVmaLock: 'bail', vmaRetryTried: false, swapcacheEexistWait: 'cond_resched' }),
  'linux-6.1': era('6.1', { faultAround: true, gupFastForkSeqcount: true, movePagesMmapLockAcross: false, anonVmaUnderVmaLock: 'bail', vmaRetryTried: false, swapcacheEexistWait: 'tick' }),
  'linux-6.4': era('6.4', { faultAround: true, gupFastForkSeqcount: true, movePagesMmapLockAcross: false, anonVmaUnderVmaLock: 'bail', vmaRetryTried: false, swapcacheEexistWait: 'tick' }),
  'linux-6.6': era('6.6', { faultAround: true, gupFastForkSeqcount: true, movePagesMmapLockAcross: false, anonVmaUnderVmaLock: 'bail', vmaRetryTried: false, swapcacheEexistWait: 'tick' }),
  'linux-6.8': era('6.8', { faultAround: true, gupFastForkSeqcount: true, movePagesMmapLockAcross: false, anonVmaUnderVmaLock: 'bail', vmaRetryTried: true, swapcacheEexistWait: 'tick' }),
  'linux-6.12': era('6.12', { faultAround: true, gupFastForkSeqcount: true, movePagesMmapLockAcross: false, anonVmaUnderVmaLock: 'trylock', vmaRetryTried: true, swapcacheEexistWait: 'tick' }),
};
