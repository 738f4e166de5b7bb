/**
 * Decoding input bytes to the text the line readers take, exactly as one streaming UTF-8
 * TextDecoder would, in pieces small enough to stay fast to read.
 */
import { isAscii } from 'node:buffer';
import type { TraceReader } from './reader.js';

/**
 * Bytes to text, as one streaming UTF-8 TextDecoder would decode them, but with a fast path for
 * all-ASCII chunks (nearly every trace): `isAscii` is a native SIMD check and a latin1 slice of
 * ASCII bytes equals their UTF-8 decoding, at several times the speed of TextDecoder. Other
 * chunks go through the decoder, and so does the chunk after one of them, so a multi-byte
 * sequence split across chunks is decoded (or replaced) exactly as before. The decoder is
 * created on first use; when ASCII text went before, it keeps a BOM (`ignoreBOM`), as a decoder
 * past the start of its stream does.
 */
export class ChunkDecoder {
  private decoder: InstanceType<typeof TextDecoder> | undefined;
  /** The last chunk went through the decoder, which may hold a partial sequence. */
  private pending = false;
  private started = false;

  decode(chunk: Uint8Array): string {
    if (!this.pending && isAscii(chunk)) {
      if (chunk.length > 0) this.started = true;
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      return buf.toString('latin1');
    }
    this.decoder ??= new TextDecoder('utf-8', { ignoreBOM: this.started });
    const text = this.decoder.decode(chunk, { stream: true });
    if (chunk.length > 0) {
      this.started = true;
      // an ASCII chunk ends any partial sequence the decoder held
      this.pending = !isAscii(chunk);
    }
    return text;
  }

  /**
   * An all-ASCII chunk of whole lines read as bytes elsewhere (trace_parallel.ts): the stream is
   * past its start, and the decoder holds no partial sequence (the last chunk ended a line).
   */
  skipAscii(chunk: Uint8Array): void {
    if (chunk.length > 0) this.started = true;
    this.pending = false;
  }

  /** What the decoder still holds at the end of the input (a replacement character, or ''). */
  end(): string {
    return this.decoder === undefined ? '' : this.decoder.decode();
  }
}

/**
 * Bytes decoded at a time. Node makes strings decoded from more than about 1 MB external
 * (outside the V8 heap), and character access on those is markedly slower in the parsers.
 */
export const DECODE_PIECE = 512 * 1024;

/** Push `chunk` to `reader` as text, in DECODE_PIECE pieces. */
export function pushDecoded(reader: TraceReader, decoder: ChunkDecoder, chunk: Uint8Array): void {
  for (let at = 0; at < chunk.length; at += DECODE_PIECE) reader.push(decoder.decode(chunk.subarray(at, at + DECODE_PIECE)));
}

/** The input ended: push what the decoder still holds and end the reader. */
export function endDecoded(reader: TraceReader, decoder: ChunkDecoder): void {
  const rest = decoder.end();
  if (rest.length > 0) reader.push(rest);
  reader.end();
}
