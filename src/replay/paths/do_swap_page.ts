/**
 * do_swap_page() (mm/memory.c): a fault on a swap or migration entry. Placeholder until the swap
 * and migration paths land.
 */
import { InvariantError } from '../../util/errors.js';
import type { Path, VmFault } from './vm_fault.js';

export function* do_swap_page(vmf: VmFault): Path {
  yield 0;
  throw new InvariantError('swap and migration entries are not emulated yet', `mm ${vmf.mm.pid}`);
}
