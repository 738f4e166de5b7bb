/**
 * What the kernel's subsystems (the swap area, the page cache, block devices) use of the Kernel
 * that builds them (kernel.ts implements it). They take it in their constructors, so they need
 * no import of kernel.ts and the Kernel can import and build them: wiring a reader follows
 * through plain imports.
 */
import type { Engine } from '../engine/engine.js';
import type { Costs } from '../costs.js';
import type { LockEnv } from '../locks/env.js';
import type { ReplayStats } from '../stats/replay_stats.js';
import type { PageAllocator } from './page_alloc.js';

export interface KernelEnv {
  readonly engine: Engine;
  readonly costs: Costs;
  readonly stats: ReplayStats;
  readonly lockEnv: LockEnv;
  readonly pages: PageAllocator;
}
