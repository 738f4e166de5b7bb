/**
 * The one place output files are written: every output goes to a temporary sibling
 * (`.NAME.PID.tmp`) and is renamed over its final name only when complete, so an output appears
 * whole or not at all. A failed write (ENOSPC, EROFS, EISDIR ...) removes the temporary file and
 * throws an OutputError naming the path as the user gave it and the errno. Temporary files still
 * open are listed so a signal handler (main.ts) can remove them, and temporary files of the same
 * name left by processes that no longer run (killed with SIGKILL) are swept when a new one is
 * made. Library code gets these as ByteSinks and never sees the filesystem.
 */
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { ByteSink } from '../util/byte_sink.js';
import { OutputError } from '../util/errors.js';

/** Errnos that mean the user named a place that cannot be written (exit 2); others exit 1. */
const USER_ERRNOS = new Set(['EROFS', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ENOENT', 'EEXIST', 'ENAMETOOLONG', 'ELOOP', 'ENOTEMPTY']);

/** Bytes gathered before one write(2): the Arrow writer hands over many small pieces. */
const WRITE_BUFFER = 1 << 20;

/** Temporary files open now (absolute paths), for the signal handlers. */
const LIVE = new Set<string>();

/** Remove every temporary file still open (synchronous: called from signal handlers). */
export function removeLiveTemps(): void {
  for (const p of LIVE) rmSync(p, { force: true });
  LIVE.clear();
}

/** Temporary files open now (tests). */
export function liveTemps(): string[] {
  return [...LIVE];
}

/** Exit status for a failed filesystem call with this errno: 2 when the user named an unusable place, else 1. */
export function errnoExit(code: string): 1 | 2 {
  return USER_ERRNOS.has(code) ? 2 : 1;
}

/** The errno's description in Node's message `CODE: description, syscall 'path'`. */
export function errnoDescription(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return /^E[A-Z0-9]+: ([^,]*)/.exec(text)?.[1] ?? text;
}

/** An OutputError for a failed filesystem call on `display` (the path as the user named it). */
export function outputError(display: string, err: unknown): OutputError {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return new OutputError(display, 'EIO', errnoDescription(err), 1);
  return new OutputError(display, code, errnoDescription(err), errnoExit(code));
}

/** Temporary sibling path for an atomic write of `target`. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
}

/** True when a process with this pid runs (or exists but is not ours to signal). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/** Remove `.NAME.PID.tmp` siblings of `target` whose process no longer runs. */
function sweepStale(target: string): void {
  const dir = dirname(target);
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(prefix) || !n.endsWith('.tmp')) continue;
    const pid = Number(n.slice(prefix.length, -4));
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)) rmSync(join(dir, n), { force: true });
  }
}

/** A file that lands at `target` only on `commit()`; a ByteSink for library code. */
export class AtomicFile implements ByteSink {
  readonly temp: string;
  private fd: number | undefined;
  private buf: Buffer = Buffer.allocUnsafe(WRITE_BUFFER);
  private used = 0;
  private done = false;

  /** `display`: the path as the user named it, for messages. Fails now when the temporary file cannot be created. */
  constructor(readonly target: string, readonly display: string = target) {
    this.temp = tempPathFor(target);
    sweepStale(target);
    try {
      this.fd = openSync(this.temp, 'w', 0o666);
    } catch (err) {
      throw outputError(display, err);
    }
    LIVE.add(this.temp);
  }

  /** Buffer bytes or text; written out in large pieces. A failure removes the temporary file and throws an OutputError. */
  write(chunk: Uint8Array | string): void {
    if (this.done) throw new Error(`write after the end of ${this.display}`);
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (this.used + bytes.length > this.buf.length) {
      this.flush();
      if (bytes.length >= this.buf.length) return this.writeOut(bytes);
    }
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }

  private flush(): void {
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    this.writeOut(this.buf.subarray(0, n));
  }

  private writeOut(bytes: Uint8Array): void {
    try {
      for (let at = 0; at < bytes.length;) at += writeSync(this.fd!, bytes, at, bytes.length - at);
    } catch (err) {
      this.fail(err);
    }
  }

  /** Remove the temporary file, and throw an OutputError for `err`. */
  private fail(err: unknown): never {
    this.discard();
    throw outputError(this.display, err);
  }

  /** Write what is buffered and close the file, not renaming it yet (several files commit together). */
  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    try {
      closeSync(this.fd);
    } catch (err) {
      this.fd = undefined;
      this.fail(err);
    }
    this.fd = undefined;
  }

  /** Close and rename over the target. */
  commit(): void {
    this.close();
    try {
      renameSync(this.temp, this.target);
    } catch (err) {
      this.fail(err);
    }
    this.done = true;
    LIVE.delete(this.temp);
  }

  /** Close and remove the temporary file; the target is untouched. Safe to call twice and after a failure. */
  discard(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch { /* removing it anyway */ }
      this.fd = undefined;
    }
    if (!this.done) rmSync(this.temp, { force: true });
    this.done = true;
    LIVE.delete(this.temp);
    this.buf = Buffer.alloc(0);
  }
}

/**
 * Create `dir` (and its missing parents) for outputs; `display` names it as the user did.
 * Returns the topmost directory it created (for `removeMadeDir` after a failure), or undefined.
 * Each missing level is made on its own, so the errno is the real one (a read-only filesystem
 * is EROFS, a file in the way EEXIST or ENOTDIR): an OutputError, exit 2.
 */
export function makeOutputDir(dir: string, display: string): string | undefined {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    let st;
    try {
      st = statSync(d);
    } catch {
      missing.push(d);
      if (dirname(d) === d) break;
      continue;
    }
    if (!st.isDirectory()) {
      const shown = d === dir ? display : join(display, relative(dir, d));
      throw new OutputError(shown, 'EEXIST', 'exists and is not a directory', 2);
    }
    break;
  }
  const top = missing[missing.length - 1];
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as { code?: string }).code === 'EEXIST') continue; // made meanwhile
      removeMadeDir(top);
      throw outputError(display, err);
    }
  }
  return top;
}

/** After a failed run: remove the directories `makeOutputDir` made, when nothing else went in them. */
export function removeMadeDir(top: string | undefined, dir?: string): void {
  if (top === undefined) return;
  for (let d = dir ?? top; ; d = dirname(d)) {
    try {
      rmdirSync(d);
    } catch {
      return; // not empty (or gone): keep it and its parents
    }
    if (d === top || dirname(d) === d) return;
  }
}

/**
 * Files that land together: each is written to its temporary file as it is added, and `commit`
 * renames them in the order added (so the caller adds meta.json last: a directory with meta.json
 * holds a complete run). Any failure discards every file not yet renamed.
 */
export class OutputGroup {
  private readonly files: AtomicFile[] = [];

  /** A new member file at `target` (shown as `display`). */
  open(target: string, display: string = target): AtomicFile {
    try {
      const f = new AtomicFile(target, display);
      this.files.push(f);
      return f;
    } catch (err) {
      this.discard();
      throw err;
    }
  }

  /** A member holding `text`, written now. */
  add(target: string, text: string, display: string = target): void {
    const f = this.open(target, display);
    try {
      f.write(text);
      f.close();
    } catch (err) {
      this.discard();
      throw err;
    }
  }

  /** Rename every member over its target, in order. */
  commit(): void {
    try {
      for (const f of this.files) f.close();
      while (this.files.length > 0) {
        this.files[0]!.commit();
        this.files.shift();
      }
    } catch (err) {
      this.discard();
      throw err;
    }
  }

  /** Remove every member's temporary file. */
  discard(): void {
    for (const f of this.files.splice(0)) f.discard();
  }
}

/** One output file: its name in a directory and its text. */
export interface NamedText {
  name: string;
  text: string;
}

/**
 * Write `files` into `dir` (created when missing; `displayDir` names it as the user did): every
 * file's bytes first, then the renames in order. On an error nothing not yet renamed is left.
 */
export function writeFilesAtomically(dir: string, files: readonly NamedText[], displayDir: string = dir): string[] {
  const made = makeOutputDir(dir, displayDir);
  const group = new OutputGroup();
  try {
    for (const f of files) group.add(join(dir, f.name), f.text, join(displayDir, f.name));
    group.commit();
  } catch (err) {
    group.discard();
    removeMadeDir(made, dir);
    throw err;
  }
  return files.map((f) => join(dir, f.name));
}
