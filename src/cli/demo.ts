/**
 * `mmreplay demo` (what `npm start` runs): the bundled `mixed` trace replayed under every kernel
 * preset, compared against the newest, written to out/demo/ with a self-contained report.html.
 */
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import { NEWEST_PRESET, PRESET_NAMES } from '../replay/policies/presets.js';
import { DEFAULT_TIMELINE_LIMIT } from '../report/timeline.js';
import { renderHtmlReport } from '../report/html.js';
import { writeFilesAtomically } from './atomic_file.js';
import { runReplay, type CommandFactory } from './common.js';
import { println } from './io.js';

/** The bundled default trace, found next to the installed package (not the working directory). */
export const DEFAULT_TRACE = fileURLToPath(new URL('../../../traces/mixed.csv', import.meta.url));

export const demoCommand: CommandFactory = (io) => ({
  command: 'demo',
  describe: 'Replay the bundled mixed trace under every preset and write out/demo/ with report.html',
  builder: (y: Argv) =>
    y
      .option('trace', { type: 'string', default: DEFAULT_TRACE, describe: 'Trace to replay', defaultDescription: 'traces/mixed.csv' })
      .option('out', { alias: 'o', type: 'string', default: 'out/demo', describe: 'Output directory' })
      .example('$0 demo', 'what `npm start` runs'),
  handler: async (args) => {
    const a = args as unknown as { trace: string; out: string };
    // Show the bundled trace as `traces/mixed.csv` when run from the package, as the README does.
    const rel = relative(io.cwd, a.trace);
    const trace = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : a.trace;
    const { dir, data } = await runReplay(io, {
      trace, format: 'auto', policy: [...PRESET_NAMES], base: NEWEST_PRESET, baseline: NEWEST_PRESET,
      cpus: 0, 'cpu-ghz': 3, swap: 'zram', disk: 'nvme', nodes: 2, hz: 1000, timing: 'trace', seed: 1,
      'timeline-limit': DEFAULT_TIMELINE_LIMIT, unit: 'ns', out: a.out, json: false,
    });
    const html = await renderHtmlReport(data, { baseline: NEWEST_PRESET });
    writeFilesAtomically(dir, [{ name: 'report.html', text: html }], a.out);
    println(io.stderr, `mmreplay: open ${join(dir, 'report.html')} in a browser for the plots`);
  },
});
