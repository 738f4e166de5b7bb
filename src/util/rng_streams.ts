/**
 * Every stream number the seeded generators use, in one table (docs/style.md "Determinism"): a
 * consumer draws from `new Rng(seed, stream)` or `rng.derive(stream)` with its number here, so
 * no two consumers share a stream and adding one cannot shift another's draws.
 *
 * - replay (one Kernel per policy, each from `new Rng(--seed)`): the engine (tick handler time),
 *   the swap device and the disk (access-time draws);
 * - generate (src/ingest/synthetic): each simulated thread draws from stream `tid`; draws shared
 *   by a scenario's threads (e.g. one victim page for all) from `scenarioShared + n`.
 */
export const RNG_STREAMS = {
  /** replay: Engine -> Cpu tick handler time (engine/cpu.ts). */
  engine: 1,
  /** replay: the --swap device's latencies (mm/device.ts via mm/swap.ts). */
  swapDevice: 101,
  /** replay: the --disk device's latencies (mm/device.ts via mm/pagecache.ts). */
  disk: 102,
  /** generate: base of the scenario-wide streams (Timeline.sharedRng); thread streams are their tids, below 2^40. */
  scenarioShared: 2 ** 40,
} as const;
