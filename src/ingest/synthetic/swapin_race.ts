/**
 * `swapin-race`: threads of one process fault the same swapped-out pages at the same moment while
 * the pages are swapped out again and again (docs/kernel-sources.md D).
 *
 * Mirrors the reproducer of the swap-cache-bypass ABA race fixed by 13ddaf26be32 ("mm/swap: fix
 * race when skipping swapcache", Kairui Song, lore 20240219082040.7495-1-ryncsn@gmail.com): on a
 * SWP_SYNCHRONOUS_IO device (zram) two threads read the same swap entry into private folios A and
 * B; one maps B and frees the entry; B is modified and swapped out to the same, reused slot; the
 * other's `pte_same()` then passes and maps stale A: a lost write (and a duplicate read). The
 * reproducer reported 15 lost writes in a round, about once every 5 minutes. Under `swapin=skip`
 * a replay of this trace should count duplicate swap-ins and, when the timing lines up, integrity
 * violations; `swapcache` and the `skip-prepare-*` variants should show none, the latter paying
 * in tick-long waits.
 *
 * The main thread fills the pages and swaps them out, then acts as the reclaimer: `swapouts`
 * MADV_PAGEOUT calls per round over the whole region. Each round, every faulting thread walks the
 * pages in the same order from the same instant (a per-round random start page), reading or
 * writing each, so they collide on the same swap entries.
 */
import { Op, PAGE_SIZE } from '../schema.js';
import { anonMmapArg, pageAddr, pagesLen, region } from './layout.js';
import { intParam } from './params.js';
import { defineScenario } from './scenario.js';
import { END, exitPhase, once, repeat, sleepUntil, waitFor, type Phase } from './timeline.js';

const MMAP_NS = 2_000;
const FILL_PAGE_NS = 250;
/** Setup after the first swapout: thread creation and the reproducer's own barrier. */
const START_NS = 50_000;
/** Spread of the faulting threads' start within a round: they are released by one barrier. */
const RELEASE_SPREAD_NS = 100;
const POLL_NS = 5_000;

const params = {
  threads: intParam(4, 'threads faulting the same pages at once', { min: 1, max: 4096 }),
  pages: intParam(32, 'pages of the region, all swapped out before each round', { min: 1, max: 1_048_576, unit: 'pages' }),
  rounds: intParam(100, 'rounds: every thread touches every page once per round', { min: 1, max: 10_000_000 }),
  write_pct: intParam(50, 'share of touches that write (the rest read)', { min: 0, max: 100, unit: '%' }),
  swapouts: intParam(2, 'MADV_PAGEOUT calls over the whole region per round, evenly spaced, the first just before the round starts', { min: 1, max: 1000 }),
  round_gap_ns: intParam(100_000, 'time between the starts of two rounds', { min: 1, unit: 'ns' }),
  touch_gap_ns: intParam(200, 'user time between two touches of one thread', { min: 1, unit: 'ns' }),
};

/** Threads fault the same swapped-out pages at once while the pages are swapped out again. */
export const swapinRace = defineScenario({
  name: 'swapin-race',
  summary: 'threads fault the same swapped-out pages at once while they are swapped out again (the swapcache-skip ABA race)',
  reference: '13ddaf26be32, reproducer in lore 20240219082040.7495-1-ryncsn@gmail.com; docs/kernel-sources.md D',
  params,
  threadsParam: 'threads',
  check(p) {
    const span = Math.ceil(p.pages * p.touch_gap_ns * 1.25) + RELEASE_SPREAD_NS;
    return span >= p.round_gap_ns
      ? `round_gap_ns (${p.round_gap_ns}) must exceed a round's touches, pages * touch_gap_ns * 1.25 + ${RELEASE_SPREAD_NS} = ${span}`
      : undefined;
  },
  build(tl, p) {
    const base = region(0);
    const len = pagesLen(p.pages);
    const t0 = MMAP_NS + p.pages * FILL_PAGE_NS + START_NS;
    const roundStart = (r: number): number => t0 + r * p.round_gap_ns;
    // The swapout `s` of round `r`, the first a little before the round so its touches find
    // swap entries.
    const lead = Math.min(20_000, Math.floor(p.round_gap_ns / 4));
    const swapoutAt = (i: number): number =>
      roundStart(Math.floor(i / p.swapouts)) - lead + Math.floor(((i % p.swapouts) * p.round_gap_ns) / p.swapouts);
    // Per-round start page, shared by all threads so they collide on the same entries.
    const shared = tl.sharedRng(1);
    const startPage = Int32Array.from({ length: p.rounds }, () => shared.int(p.pages));
    const state = { done: 0 };

    const faulter: Phase[] = [
      // The reproducer's barrier releases every thread at the round start, give or take a little.
      once((t) => roundStart(0) + t.rng.int(RELEASE_SPREAD_NS) - t.ts),
      repeat(p.rounds * p.pages, (t, i) => {
        const r = Math.floor(i / p.pages);
        const k = i - r * p.pages;
        const page = (startPage[r]! + k) % p.pages;
        const write = t.rng.int(100) < p.write_pct;
        t.emit(write ? Op.write : Op.read, pageAddr(base, page), 8, 0);
        if (k < p.pages - 1) return t.jitter(p.touch_gap_ns);
        return roundStart(r + 1) + t.rng.int(RELEASE_SPREAD_NS) - t.ts;
      }),
      once(() => {
        state.done++;
        return END;
      }),
      exitPhase(),
    ];

    tl.process(0, () => [
      once((t) => {
        t.emit(Op.mmap, base, len, anonMmapArg());
        return MMAP_NS;
      }),
      repeat(p.pages, (t, i) => {
        t.emit(Op.write, pageAddr(base, i), PAGE_SIZE, 0);
        return FILL_PAGE_NS;
      }),
      once((t) => {
        t.emit(Op.swapout, base, len, 0);
        for (let w = 0; w < p.threads; w++) t.spawnThread(START_NS / 2, () => faulter);
        return 0;
      }),
      sleepUntil(() => swapoutAt(0)),
      repeat(p.rounds * p.swapouts, (t, i) => {
        t.emit(Op.swapout, base, len, 0);
        return Math.max(0, swapoutAt(i + 1) - t.ts);
      }),
      // No munmap at the end: faulting threads replayed with back-offs (a tick each under
      // skip-prepare-tick) run past their trace times. The last thread's exit tears down.
      waitFor(() => state.done === p.threads, POLL_NS),
      exitPhase(),
    ]);
  },
});
