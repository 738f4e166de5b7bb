/**
 * migration_entry_wait() (mm/migrate.c): a fault found a migration entry. Placeholder until the
 * migration paths land.
 */
import { InvariantError } from '../../util/errors.js';
import type { Path, VmFault } from './vm_fault.js';

export function* migration_entry_wait(vmf: VmFault): Path {
  yield 0;
  throw new InvariantError('migration entries are not emulated yet', `mm ${vmf.mm.pid}`);
}
