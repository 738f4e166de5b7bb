/**
 * The contract's CSV text form of event batches. Addresses are written in hex (`0x...`), every
 * other column in decimal; all values are integers below 2^53, so `toString` is exact.
 */
import { RecordBatch } from 'apache-arrow';
import { COLUMNS, OPS } from './schema.js';

export const CSV_HEADER = `${COLUMNS.join(',')}\n`;

/** Format one batch as CSV lines (no header). Built by hand: this is a hot loop of integers. */
export function formatCsvBatch(batch: RecordBatch): string {
  const col = (name: string) => batch.getChild(name)!.data[0]!.values as ArrayLike<number>;
  const ts = col('ts'), pid = col('pid'), tid = col('tid'), op = col('op');
  const addr = col('addr'), len = col('len'), arg = col('arg');
  const parts: string[] = new Array(batch.numRows);
  for (let i = 0; i < batch.numRows; i++) {
    parts[i] = `${ts[i]},${pid[i]},${tid[i]},${OPS[op[i]!]},0x${addr[i]!.toString(16)},${len[i]},${arg[i]}\n`;
  }
  return parts.join('');
}
