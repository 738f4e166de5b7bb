/**
 * `mmreplay report DIR`: re-render a finished run from its directory (meta.json plus the CSV
 * files) without replaying: the terminal tables (with `--fields`, `--sort`, `--unit`,
 * `--baseline`), `--json`, or `--html` (DIR/report.html, one self-contained page with plots).
 * Works on `replay -o DIR` and `analyze -o DIR` directories.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { loadAnalyzeReport, renderAnalyzeReport, type AnalyzeMeta } from '../report/analyze_report.js';
import { TIME_UNITS, type TimeUnit } from '../report/columns.js';
import { renderHtmlReport } from '../report/html.js';
import { loadReplayReport, parseMetaJson } from '../report/load_report.js';
import type { ReportMeta } from '../report/meta.js';
import { convertUnit } from '../report/report_data.js';
import { renderReport } from '../report/terminal.js';
import { InputError, usageError } from '../util/errors.js';
import { writeFilesAtomically } from './atomic_file.js';
import { reportColumns, type CommandFactory } from './common.js';
import { println } from './io.js';

interface ReportArgs {
  dir: string;
  html: boolean;
  json: boolean;
  fields?: string[];
  sort?: string[];
  unit?: TimeUnit;
  baseline?: string;
}

function readerFor(dir: string): (name: string) => string | undefined {
  return (name) => {
    const p = join(dir, name);
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  };
}

/** The `report` command. */
export const reportCommand: CommandFactory = (io) => ({
  command: 'report <dir>',
  describe: 'Re-render a finished run (replay or analyze -o DIR) from its CSV files and meta.json, without replaying',
  builder: (y: Argv) =>
    y
      .positional('dir', { type: 'string', describe: 'A directory written by replay -o or analyze -o' })
      .option('html', { type: 'boolean', default: false, describe: 'Write DIR/report.html: one self-contained page with plots' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the run (meta and every table) as JSON' })
      .option('fields', { type: 'string', array: true, describe: 'Columns to show, by CSV header or short name (fault_p99, wait_total_ns ...)' })
      .option('sort', { type: 'string', array: true, describe: 'Sort rows (and the summary\'s policies) by a column; KEY:asc or KEY:desc; numbers default to descending' })
      .option('unit', { choices: TIME_UNITS as TimeUnit[], describe: 'Time unit of the tables (default: the run\'s)' })
      .option('baseline', { type: 'string', describe: 'Follow every figure by its change against this policy' })
      .example('$0 report out/run', 'print the run\'s tables again')
      .example('$0 report out/run --baseline linux-6.8 --fields fault_p99,makespan', 'compare two figures against linux-6.8')
      .example('$0 report out/run --html', 'write out/run/report.html'),
  handler: async (args) => {
    const argv = args as unknown as ReportArgs;
    const dir = resolve(io.cwd, argv.dir);
    if (!existsSync(dir)) throw new InputError({ code: 'no-such-dir', stage: 'cli', file: argv.dir, expected: 'a run directory written by replay -o or analyze -o' });
    const read = readerFor(dir);
    const meta = parseMetaJson(read('meta.json'), join(argv.dir, 'meta.json'));
    if (meta.kind === 'analyze') {
      if (argv.html || argv.fields || argv.sort || argv.baseline) throw usageError('--html, --fields, --sort and --baseline apply to replay runs; this is an analyze directory');
      const data = loadAnalyzeReport(read, argv.dir, meta as unknown as AnalyzeMeta);
      println(io.stdout, argv.json ? JSON.stringify(data, null, 2) : renderAnalyzeReport(data, { columns: reportColumns(io) }).trimEnd());
      return;
    }
    if (meta.kind !== 'replay') throw new InputError({ code: 'bad-meta', stage: 'report', file: join(argv.dir, 'meta.json'), text: meta.kind, expected: '"kind": "replay" or "analyze"' });
    const loaded = loadReplayReport(read, argv.dir, meta as unknown as ReportMeta);
    const data = convertUnit(loaded, argv.unit ?? loaded.meta.unit);
    const labels = data.meta.policies.map((p) => p.label);
    if (argv.baseline !== undefined && !labels.includes(argv.baseline)) {
      throw usageError(`--baseline: not a policy of this run; expected one of: ${labels.join(', ')}`, argv.baseline);
    }
    if (argv.html) {
      const html = await renderHtmlReport(data, { baseline: argv.baseline });
      writeFilesAtomically(dir, [{ name: 'report.html', text: html }], argv.dir);
      println(io.stdout, `report: wrote ${join(argv.dir, 'report.html')} (${html.length} bytes, self-contained)`);
      return;
    }
    if (argv.json) {
      println(io.stdout, JSON.stringify(data, null, 2));
      return;
    }
    const text = renderReport(data, { unit: data.meta.unit, baseline: argv.baseline, fields: argv.fields, sort: argv.sort, columns: reportColumns(io) });
    io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  },
});
