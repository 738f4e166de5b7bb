/**
 * The one event schema (docs/design.md section 1). Column names, op names and codes, metadata keys
 * and numeric limits live here and nowhere else; every reader, writer, the replay and the
 * reports import them. The Arrow types are in arrow_schema.ts, so that worker threads parsing
 * text import no Arrow (loading apache-arrow costs each thread about 150 ms of CPU).
 */

/** Version written to `mmreplay.format_version`; bump on an incompatible schema change. */
export const FORMAT_VERSION = '1';

/** Column names, in the order the Arrow file and the CSV writer use. */
export const COLUMNS = ['ts', 'pid', 'tid', 'op', 'addr', 'len', 'arg'] as const;
export type ColumnName = (typeof COLUMNS)[number];

/** Columns that may be empty in CSV (they take op-specific defaults). */
export const OPTIONAL_COLUMNS: ReadonlySet<ColumnName> = new Set(['len', 'arg']);

/**
 * Op names in code order. The code of an op is its index here; the Arrow `op` column is a
 * Dictionary<Int8, Utf8> whose dictionary is exactly this list, the same in every batch and
 * every file, so codes can be compared without looking at the dictionary.
 *
 * The `obs_*` ops are observations kept from recorded tracepoint traces (`mmap_lock:*`,
 * `lock:contention_*`, `migrate:*`). They are measurements of the recording kernel for
 * `analyze`, never replayed.
 */
export const OPS = [
  'read', 'write', 'fetch',
  'mmap', 'munmap', 'mprotect', 'discard', 'swapout',
  'migrate', 'compact',
  'pin', 'unpin', 'gup', 'gup_put', 'dma_write', 'dma_read',
  'fork', 'exit', 'compute',
  'obs_mmap_lock_start', 'obs_mmap_lock_acquired', 'obs_mmap_lock_released',
  'obs_contention_begin', 'obs_contention_end', 'obs_migrate_pages',
] as const;
export type OpName = (typeof OPS)[number];

/** Op codes by name: `Op.read === 0`. */
export const Op = Object.freeze(
  Object.fromEntries(OPS.map((name, code) => [name, code])) as { [K in OpName]: number },
);

const OP_BY_NAME: ReadonlyMap<string, number> = new Map(OPS.map((name, code) => [name, code]));

/** Code of an op name, or -1 when the name is not an op. */
export function opCode(name: string): number {
  return OP_BY_NAME.get(name) ?? -1;
}

/** First observation op code; every code at or above it is an observation, not replayed. */
export const FIRST_OBSERVATION_OP = Op.obs_mmap_lock_start;

/** True for ops the replay executes; false for `obs_*` observations. */
export function isReplayable(code: number): boolean {
  return code >= 0 && code < FIRST_OBSERVATION_OP;
}

/** True for CPU accesses (read, write, fetch), which default `len` to 1. */
export function isAccess(code: number): boolean {
  return code <= Op.fetch;
}

/** True for ops over an address range (mmap .. dma_read), which default `len` to one page. */
export function isRangeOp(code: number): boolean {
  return code >= Op.mmap && code <= Op.dma_read;
}

/** Default `len` when the CSV cell is empty: 1 byte for accesses, one page for range ops, else 0. */
export function defaultLen(code: number): number {
  if (isAccess(code)) return 1;
  return isRangeOp(code) ? PAGE_SIZE : 0;
}

/** Bits of `arg` for `mmap` (docs/design.md section 1). */
export const MMAP_SHARED = 1;
export const MMAP_FILE = 2;
export const MMAP_RDONLY = 4;
/** `mmap` arg bits 8-31 carry a file id for file-backed mappings. */
export const MMAP_FILE_ID_SHIFT = 8;

/** `mprotect` arg values. */
export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_READ_WRITE = 3;

/** Bits of `arg` for `pin`/`unpin`/`gup`: FOLL_WRITE and FOLL_LONGTERM. */
export const FOLL_WRITE = 1;
export const FOLL_LONGTERM = 2;

/** Bit of `arg` on `obs_mmap_lock_*` rows: the lock was taken for write. */
export const OBS_WRITE = 1;
/** Bit of `arg` on `obs_mmap_lock_acquired` rows: the acquisition succeeded. */
export const OBS_SUCCESS = 2;

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

/** Addresses, lengths, timestamps and args must stay below 2^53 (exact in Float64). */
export const MAX_VALUE = 2 ** 53;
/** Text form of the limit, quoted in error messages. */
export const MAX_VALUE_TEXT = '2^53 (9007199254740992)';

/** Schema metadata keys. */
export const META = {
  formatVersion: 'mmreplay.format_version',
  sourceFormat: 'source.format',
  sourcePath: 'source.path',
  sourceSha256: 'source.sha256',
  counters: 'ingest.counters',
  /** JSON array: lock or mm pointer text by interned id, for `obs_*` rows' `addr`. */
  observedObjects: 'observations.objects',
} as const;

/** Rows per Arrow record batch when writing. */
export const BATCH_ROWS = 65536;

/** One event as plain numbers; used by tests and small generators, never in hot loops. */
export interface EventRow {
  ts: number;
  pid: number;
  tid: number;
  op: number;
  addr: number;
  len: number;
  arg: number;
}
