/**
 * A bounds check of Arrow IPC message metadata before apache-arrow decodes it. Arrow trusts the
 * flatbuffer's vector lengths: a corrupt length (a bit flip, a spliced file) makes it decode
 * billions of field nodes and run out of memory (found by test/fuzz). Every message of the
 * stream is framed here (continuation marker, metadata length, metadata, body) and the vectors
 * Arrow loops over (record batch nodes and buffers, schema fields and their children, custom
 * metadata) must fit inside the metadata. Reads the flatbuffer layout directly: root offset,
 * tables with their vtables, vectors with a u32 length.
 */

/** The check failed: what is wrong, for the reader's message. */
export class CorruptMessage extends Error {}

const MESSAGE_SCHEMA = 1, MESSAGE_DICTIONARY = 2, MESSAGE_RECORD_BATCH = 3;

class Flat {
  private readonly v: DataView;
  constructor(private readonly b: Uint8Array) {
    this.v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  private need(at: number, n: number): void {
    if (!(at >= 0 && at + n <= this.b.length)) throw new CorruptMessage('message metadata points outside itself');
  }

  u32(at: number): number { this.need(at, 4); return this.v.getUint32(at, true); }
  private u16(at: number): number { this.need(at, 2); return this.v.getUint16(at, true); }

  /** Position of field `i` of the table at `t`, or -1 when absent. */
  field(t: number, i: number): number {
    const vt = t - this.v.getInt32((this.need(t, 4), t), true);
    const size = this.u16(vt);
    if (4 + 2 * i >= size) return -1;
    const off = this.u16(vt + 4 + 2 * i);
    return off === 0 ? -1 : t + off;
  }

  /** The table an offset field at `p` points to. */
  table(p: number): number { return p + this.u32(p); }

  /** The vector at field position `p`: its first element and length, checked to fit with `size`-byte elements. */
  vector(p: number, size: number): { at: number; n: number } {
    const start = p + this.u32(p);
    const n = this.u32(start);
    this.need(start + 4, n * size);
    return { at: start + 4, n };
  }

  u8(at: number): number { this.need(at, 1); return this.b[at]!; }

  /** An int64 field as a number (exact below 2^53); throws when larger or negative. */
  i64(at: number): number {
    const lo = this.u32(at), hi = this.u32(at + 4);
    if (hi >= 0x200000) throw new CorruptMessage('a message length beyond 2^53');
    return hi * 2 ** 32 + lo;
  }
}

/** Check one Message flatbuffer; returns its body length. */
export function checkMessage(meta: Uint8Array): number {
  const f = new Flat(meta);
  const m = f.u32(0);
  const typeAt = f.field(m, 1), headerAt = f.field(m, 2), bodyAt = f.field(m, 3), metaAt = f.field(m, 4);
  const type = typeAt < 0 ? 0 : f.u8(typeAt);
  if (metaAt >= 0) f.vector(metaAt, 4);
  if (headerAt >= 0) {
    const h = f.table(headerAt);
    if (type === MESSAGE_SCHEMA) checkSchema(f, h);
    else if (type === MESSAGE_RECORD_BATCH) checkBatch(f, h);
    else if (type === MESSAGE_DICTIONARY) {
      const data = f.field(h, 1);
      if (data >= 0) checkBatch(f, f.table(data));
    }
  }
  return bodyAt < 0 ? 0 : f.i64(bodyAt);
}

function checkBatch(f: Flat, t: number): void {
  for (const [i, size] of [[1, 16], [2, 16], [4, 8]] as const) {
    const p = f.field(t, i);
    if (p >= 0) f.vector(p, size);
  }
}

function checkSchema(f: Flat, t: number): void {
  const meta = f.field(t, 2);
  if (meta >= 0) f.vector(meta, 4);
  const fields = f.field(t, 1);
  if (fields >= 0) checkFields(f, fields, 0);
}

function checkFields(f: Flat, p: number, depth: number): void {
  if (depth > 64) throw new CorruptMessage('fields nested deeper than 64');
  const { at, n } = f.vector(p, 4);
  for (let k = 0; k < n; k++) {
    const field = at + 4 * k + f.u32(at + 4 * k);
    const meta = f.field(field, 6);
    if (meta >= 0) f.vector(meta, 4);
    const children = f.field(field, 5);
    if (children >= 0) checkFields(f, children, depth + 1);
  }
}

/**
 * Frames the IPC stream as its bytes pass (the bytes after a file's magic, or a whole stream)
 * and checks each message's metadata; throws CorruptMessage at the first bad one. Stops checking
 * at the end-of-stream marker (a file's footer follows it).
 */
export class MessageGuard {
  private head = new Uint8Array(0);
  /** Body bytes still to skip. */
  private skip = 0;
  private ended = false;

  push(chunk: Uint8Array): void {
    if (this.ended) return;
    let buf = chunk;
    if (this.head.length > 0) {
      buf = new Uint8Array(this.head.length + chunk.length);
      buf.set(this.head);
      buf.set(chunk, this.head.length);
      this.head = new Uint8Array(0);
    }
    const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let pos = 0;
    while (pos < buf.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, buf.length - pos);
        this.skip -= n;
        pos += n;
        continue;
      }
      if (buf.length - pos < 8) break;
      let len = v.getInt32(pos, true);
      let at = 4;
      if (len === -1) { len = v.getInt32(pos + 4, true); at = 8; } // (without the continuation marker: the pre-0.15 framing)
      if (len === 0) { this.ended = true; return; }
      if (len < 0 || len > 1 << 26) throw new CorruptMessage(`a message metadata length of ${len} bytes`);
      if (buf.length - pos < at + len) break;
      this.skip = checkMessage(buf.subarray(pos + at, pos + at + len));
      pos += at + len;
    }
    if (pos < buf.length) this.head = buf.slice(pos);
  }
}
