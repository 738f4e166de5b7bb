/**
 * A cut or spliced Arrow input is an error naming the file and what is missing, never a table
 * with rows silently lost (issue 20, defect 2): an IPC file must end in its footer, the footer
 * must list the record batches the file holds, and an IPC stream must end with its end-of-stream
 * marker.
 */
import { tableFromIPC, tableToIPC, type RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { EventBatchBuilder } from '../../src/ingest/batch.js';
import { Op } from '../../src/ingest/schema.js';
import { ArrowEventWriter } from '../../src/ingest/writer.js';
import { MemorySink } from '../../src/util/byte_sink.js';
import { load, loadError } from '../helpers/sources.js';
import { FORMATS, mutate } from '../fuzz/readers.js';

/** An mmreplay Arrow file of `rows` reads in batches of `batchRows`. */
async function arrowFile(rows: number, batchRows: number): Promise<Uint8Array> {
  const sink = new MemorySink();
  const w = new ArrowEventWriter(sink);
  const pending: RecordBatch[] = [];
  const b = new EventBatchBuilder((x) => pending.push(x), batchRows);
  for (let i = 0; i < rows; i++) b.push(i, 1, 1, Op.read, 4096 * (i + 1), 8, 0);
  b.flush();
  for (const x of pending) await w.write(x);
  await w.finish(new Map());
  return sink.bytes();
}

/** Index of the end-of-stream marker (ff ff ff ff 00 00 00 00) before an IPC file's footer. */
function eosAt(file: Uint8Array): number {
  const n = file.length;
  const footerLen = new DataView(file.buffer, file.byteOffset + n - 10, 4).getInt32(0, true);
  return n - 10 - footerLen - 8;
}

describe('truncated and spliced Arrow input', () => {
  it('an intact file loads whole (the cases below start from it)', async () => {
    const t = await load('p.arrow', await arrowFile(1000, 100), {}, 333);
    expect(t.rows).toBe(1000);
    expect((await load('empty.arrow', await arrowFile(0, 100))).rows).toBe(0);
  });

  it('a file cut anywhere is an error naming the file and the missing footer', async () => {
    const file = await arrowFile(1000, 100);
    for (const cut of [8, 100, Math.floor(file.length / 2), eosAt(file), eosAt(file) + 8, file.length - 1]) {
      const err = await loadError('cut.arrow', file.subarray(0, cut));
      expect(err.issues[0]!.file, `cut at ${cut}`).toBe('cut.arrow');
      expect(err.issues[0]!.code, `cut at ${cut}`).toMatch(/^(truncated-arrow|bad-arrow)$/);
      expect(err.message, `cut at ${cut}`).toMatch(/cut\.arrow: .*(footer|truncated|cut short)/);
    }
  });

  it('a footer that lists more record batches than the file holds is an error', async () => {
    const two = await arrowFile(200, 100);
    const three = await arrowFile(300, 100);
    // two's batches and end-of-stream marker, then three's footer: a file whose footer disagrees with its blocks
    const spliced = new Uint8Array([...two.subarray(0, eosAt(two) + 8), ...three.subarray(eosAt(three) + 8)]);
    const err = await loadError('spliced.arrow', spliced);
    expect(err.issues[0]).toMatchObject({ code: 'truncated-arrow', file: 'spliced.arrow' });
    expect(err.message).toMatch(/footer lists 3 record batches.*2/);
  });

  it('an IPC stream without its end-of-stream marker is an error', async () => {
    const stream = tableToIPC(tableFromIPC(await arrowFile(300, 100)), 'stream');
    expect((await load('s.arrows', stream)).rows).toBe(300);
    const err = await loadError('s.arrows', stream.subarray(0, stream.length - 8));
    expect(err.issues[0]).toMatchObject({ code: 'truncated-arrow', file: 's.arrows' });
  });

  it('a message whose metadata claims vectors longer than itself is an error, not an out-of-memory abort (found by the fuzzer)', async () => {
    const arrow = FORMATS.find((f) => f.format === 'arrow')!;
    const edits = [{ kind: 'truncate', at: 1857421882 }, { kind: 'insert', at: 1851033857, bytes: [56, 55, 10] }, { kind: 'truncate', at: 541082023 }] as const;
    const err = await loadError('corrupt.arrow', mutate(await arrow.seed(), edits as never), { format: 'arrow' });
    expect(err.issues[0]).toMatchObject({ code: 'bad-arrow', file: 'corrupt.arrow' });
    expect(err.message).toContain('corrupt message');
  });
});
