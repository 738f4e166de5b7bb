/**
 * Where library code sends the bytes it produces (an Arrow file, CSV, timeline JSON). Library
 * code never opens files: the CLI implements this over an atomic file (src/cli/atomic_file.ts),
 * tests over memory. A `write` that fails rejects (or throws) with the sink's own error, which
 * the producer passes on unchanged.
 */
export interface ByteSink {
  write(chunk: Uint8Array | string): Promise<void> | void;
}

/** A sink that keeps everything in memory (tests, and callers that want the bytes). */
export class MemorySink implements ByteSink {
  private readonly parts: Uint8Array[] = [];
  private readonly enc = new TextEncoder();

  write(chunk: Uint8Array | string): void {
    this.parts.push(typeof chunk === 'string' ? this.enc.encode(chunk) : chunk.slice());
  }

  /** Everything written, as one buffer. */
  bytes(): Uint8Array {
    const n = this.parts.reduce((a, p) => a + p.length, 0);
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }

  text(): string {
    return new TextDecoder().decode(this.bytes());
  }
}
