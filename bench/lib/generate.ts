/**
 * Deterministic generated inputs for the ingest bench: the contract's CSV, `perf script` text for
 * exceptions:page_fault_user tracepoints, and valgrind lackey output. Written once per row count
 * to the OS temp directory and reused while their size matches.
 */
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Kinds of generated input. */
export type GeneratedKind = 'csv' | 'perf' | 'lackey';

const LINES_PER_WRITE = 65536;

/** A small deterministic generator (xorshift32); no Math.random in benches either. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

/** Line `i` of a generated input; `r` supplies randomness. 8 threads in 2 processes. */
function lineOf(kind: GeneratedKind, i: number, r: () => number): string {
  const tid = 1000 + (i & 7);
  const pid = tid < 1004 ? 1000 : 1004;
  const page = 0x7f0000000 + (r() & 0xfffff);
  const addr = page * 4096 + (r() & 0xff8);
  const kindBits = r() & 3;
  switch (kind) {
    case 'csv': {
      const op = kindBits === 0 ? 'write' : kindBits === 1 ? 'fetch' : 'read';
      return `${i * 10},${pid},${tid},${op},0x${addr.toString(16)},8,\n`;
    }
    case 'perf': {
      const ts = 5123 + i / 1e6;
      const err = kindBits === 0 ? '0x6' : '0x4';
      return `          mtwork  ${pid}/${tid}  [00${i & 3}]  ${ts.toFixed(6)}:  exceptions:page_fault_user: address=0x${addr.toString(16)} ip=0x55d1c2a3b4c5 error_code=${err}\n`;
    }
    case 'lackey':
      return kindBits === 1 ? `I  ${(0x4016e8 + (r() & 0xffff)).toString(16)},3\n` : ` ${kindBits === 0 ? 'S' : 'L'} ${addr.toString(16)},8\n`;
  }
}

function header(kind: GeneratedKind): string {
  if (kind === 'csv') return 'ts,pid,tid,op,addr,len,arg\n';
  if (kind === 'lackey') return '==4242== Lackey, an example Valgrind tool\n';
  return '';
}

/** Path of a generated input of `rows` rows, generating it if needed. */
export function generated(kind: GeneratedKind, rows: number, log: (t: string) => void): string {
  const dir = join(tmpdir(), 'mmreplay-bench');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${kind}-${rows}.${kind === 'csv' ? 'csv' : 'txt'}`);
  const sizePath = `${path}.size`;
  if (existsSync(path) && existsSync(sizePath) && statSync(sizePath).size === String(statSync(path).size).length) return path;
  log(`generating ${rows} rows of ${kind} in ${path}`);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  writeSync(fd, header(kind));
  const r = rng(42);
  for (let i = 0; i < rows; i += LINES_PER_WRITE) {
    const parts: string[] = [];
    for (let j = i; j < Math.min(rows, i + LINES_PER_WRITE); j++) parts.push(lineOf(kind, j, r));
    writeSync(fd, parts.join(''));
  }
  closeSync(fd);
  renameSync(tmp, path);
  const sfd = openSync(sizePath, 'w');
  writeSync(sfd, String(statSync(path).size));
  closeSync(sfd);
  return path;
}
