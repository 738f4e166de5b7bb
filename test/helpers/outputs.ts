/** Writing outputs in tests the way the CLI does (src/cli/atomic_file.ts). */
import type { ReplayResult } from '../../src/replay/result.js';
import { writeFilesAtomically } from '../../src/cli/atomic_file.js';
import type { ReportData } from '../../src/report/report_data.js';
import { replayOutputFiles, type ReplayOutputOptions } from '../../src/report/write.js';

/** A replay result's run directory files written into `dir`, as `replay -o DIR` writes them. */
export function writeReplayOutputs(result: ReplayResult, dir: string, opts: ReplayOutputOptions): { data: ReportData; paths: string[] } {
  const { data, files } = replayOutputFiles(result, opts);
  return { data, paths: writeFilesAtomically(dir, files) };
}
