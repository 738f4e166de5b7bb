/** What every lock needs from the machine: the engine (sleep/wake), statistics and costs. */
import type { Engine } from '../engine/engine.js';
import type { LockStats } from './lockstat.js';

export interface LockEnv {
  readonly engine: Engine;
  readonly stats: LockStats;
  /** Cycles of an uncontended acquire+release pair. */
  readonly uncontended: number;
  /** Cycles of one cache-line transfer. */
  readonly transfer: number;
}
