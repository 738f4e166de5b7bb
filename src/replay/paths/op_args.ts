/** The fields of one trace row an op handler needs, and the handler's type (ops.ts). */
import type { Kernel, Thread } from '../kernel.js';
import type { Path } from '../engine/task.js';

export interface OpArgs {
  row: number;
  addr: number;
  len: number;
  arg: number;
}

/** A generator over the model that sets `task.path` when it wants a label other than the op name. */
export type OpHandler = (k: Kernel, task: Thread, a: OpArgs) => Path<void>;
