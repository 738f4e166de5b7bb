/** Runs in every test file (vitest setupFiles): no test leaves its temporary directories behind. */
import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { TEMP_DIRS } from './helpers/sources.js';

afterAll(() => {
  for (const dir of TEMP_DIRS.splice(0)) rmSync(dir, { recursive: true, force: true });
});
