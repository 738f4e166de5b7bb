/**
 * The readers' fuzz properties (readers.ts), bounded for the suite: a fixed seed and a few dozen
 * mutated inputs per format, a few seconds in all. `npm run fuzz` runs the same properties with
 * a random seed and MMREPLAY_FUZZ_RUNS inputs per format (default 20000).
 */
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { tempDir } from '../helpers/sources.js';
import { FORMATS, fuzzFormat } from './readers.js';

const LONG = process.env.MMREPLAY_FUZZ_RUNS !== undefined;
const RUNS = LONG ? Number(process.env.MMREPLAY_FUZZ_RUNS) : 40;
const SEED = LONG ? undefined : 20_201;

describe('every reader, fuzzed: exit 0 or 2, no stack trace, errors name file and line', () => {
  const dir = tempDir();
  for (const fmt of FORMATS) {
    it(fmt.name, async () => {
      await fuzzFormat(fmt, join(dir, fmt.name.replace(/\W/g, '_')), RUNS, SEED);
    }, LONG ? 0 : 60_000);
  }
});
