/**
 * The op table: which kernel entry each trace op runs (DESIGN.md section 1). Accesses go
 * through the thread's access path (thread_main.ts); every other op has a handler here, a
 * generator over the model that sets `task.path` when it wants a label other than the op name.
 * Path modules register their ops with `registerOp` at import time.
 */
import type { Kernel, Thread } from '../kernel.js';
import type { Path } from '../engine/task.js';

/** The fields of one row an op handler needs. */
export interface OpArgs {
  row: number;
  addr: number;
  len: number;
  arg: number;
}

export type OpHandler = (k: Kernel, task: Thread, a: OpArgs) => Path<void>;

const HANDLERS: (OpHandler | undefined)[] = [];

/** Register the handler of an op code. */
export function registerOp(op: number, h: OpHandler): void {
  HANDLERS[op] = h;
}

/** The handler of an op code, if any is registered. */
export function opHandler(op: number): OpHandler | undefined {
  return HANDLERS[op];
}
