/**
 * out_of_memory() (mm/oom_kill.c), as a memory cgroup at its limit runs it (mem_cgroup_oom after
 * try_charge_memcg's MAX_RECLAIM_RETRIES reclaim attempts made no progress): --memory-limit is
 * such a limit. Pinned and referenced-again folios cannot be reclaimed, so a limit below what the
 * processes pin ends here, not in an endless fault/reclaim loop.
 *
 * select_bad_process() scores each live process with oom_badness(): its RSS (present PTEs of
 * anonymous, file and shmem pages; the zero page is not counted), its swap entries, and its page
 * tables in pages; the process with the most points is chosen (the last of equals in task-list
 * order, i.e. creation order here, as oom_evaluate_task replaces on a tie). A victim still
 * exiting (tsk_is_oom_victim) aborts a new selection. The victim gets SIGKILL: each of its threads
 * exits at its next row, or at once when its rows have all run (idle in user space; the
 * emulator does not interrupt a sleep in progress, the kernel's killable sleeps would end at
 * once), and a GUP or fault loop of a killed thread stops
 * (__get_user_pages: fatal_signal_pending -> -EINTR). The finding is reported in the kernel's
 * words ("Out of memory: Killed process ...").
 */
import type { Kernel, Thread } from '../kernel.js';
import type { Mm } from '../mm/mm_types.js';
import { PTE_PRESENT, PTE_SWAP, PTRS_PER_PTE } from '../mm/pagetable.js';
import { TaskState } from '../engine/task.js';
import { do_exit } from './do_exit.js';

/** oom_badness() inputs of one mm: present pages (the zero page excluded), swap entries, page tables. */
function badness(k: Kernel, mm: Mm): { rss: number; swap: number; tables: number } {
  let rss = 0;
  let swap = 0;
  for (const t of mm.pt.tables.values()) {
    if (t.used === 0) continue;
    for (let i = 0; i < PTRS_PER_PTE; i++) {
      const kind = t.kind[i];
      if (kind === PTE_SWAP) swap++;
      else if (kind === PTE_PRESENT && t.folioAt(i) !== k.zeroFolio) rss++;
    }
  }
  return { rss, swap, tables: mm.pt.tables.size };
}

/**
 * The limit cannot be met by reclaim: kill the process with the highest oom_badness(). Returns
 * false when a victim chosen earlier is still exiting (nothing new is killed).
 */
export function out_of_memory(k: Kernel, task: Thread): boolean {
  for (const t of k.threads) if (t.oomKilled && !t.exited) return false;
  let victim: Mm | null = null;
  let best = -1;
  let stats = { rss: 0, swap: 0, tables: 0 };
  for (const mm of k.mms.values()) {
    if (mm.dead || mm.users === 0) continue;
    const b = badness(k, mm);
    const points = b.rss + b.swap + b.tables;
    if (points >= best) {
      best = points;
      victim = mm;
      stats = b;
    }
  }
  if (victim === null) return false;
  const threads = k.threads.filter((t) => t.pid === victim.pid && !t.exited);
  const detail: string[] = [];
  for (const t of threads) {
    t.oomKilled = true;
    // A thread whose rows have all run is idle in user space: SIGKILL wakes it and it exits now.
    const idle = t.state === TaskState.DONE;
    if (idle) {
      t.program = do_exit(k, t);
      k.engine.start(t, k.now);
    }
    detail.push(`task ${t.pid}/${t.tid} killed (SIGKILL), exits ${idle ? 'now (idle in user space)' : 'at its next row'}`);
  }
  k.stats.count('oom_kills');
  const kib = (pages: number): string => `${(pages * 4).toLocaleString('en-US')}kB`;
  k.stats.findings.push({
    kind: 'oom_kill',
    message: `Out of memory: Killed process ${victim.pid} anon-rss:${kib(stats.rss)} swap:${kib(stats.swap)} pgtables:${kib(stats.tables)} (memory cgroup limit ${kib(k.pages.limitPages)}, ${k.pages.resident} pages resident; invoked by task ${task.pid}/${task.tid})`,
    cycles: k.now,
    detail,
  });
  return true;
}
