/**
 * `mmreplay replay TRACE`: ingest (any input), replay under each policy from a fresh machine,
 * write the run directory (docs/design.md section 5) and print the comparison.
 */
import type { Argv } from 'yargs';
import { NEWEST_PRESET, PRESET_NAMES } from '../replay/policies/presets.js';
import { DEFAULT_TIMELINE_LIMIT } from '../report/timeline.js';
import { EVENTS_DEFAULT_MAX_ROWS, inputOptions, runReplay, type CommandFactory, type ReplayArgs } from './common.js';

export const replayCommand: CommandFactory = (io) => ({
  command: 'replay <trace>',
  describe: 'Replay a trace through the emulated kernel under one or more policies',
  builder: (y: Argv) =>
    inputOptions(y)
      .positional('trace', { type: 'string', describe: 'Trace: an Arrow table from ingest, or any input ingest reads' })
      .option('policy', { type: 'string', array: true, describe: `Policy: a preset (${PRESET_NAMES.join(', ')}), axis=variant pairs, or preset+overrides (linux-6.8+swapin=skip); repeat to compare` })
      .option('axis', { type: 'string', describe: 'Compare every variant of one axis on --base (see: mmreplay list policies)' })
      .option('base', { type: 'string', default: NEWEST_PRESET, describe: 'Preset that axis=variant pairs and --axis apply to' })
      .option('baseline', { type: 'string', describe: 'Show each figure with its change against this policy label' })
      .option('cpus', { type: 'number', default: 0, describe: 'Emulated CPUs, 0 to 4096 (0: one per thread); fewer than threads means a FIFO run queue' })
      .option('cpu-ghz', { type: 'number', default: 3, describe: 'Clock of the emulated CPUs (cycles per ns), 0.1 to 100' })
      .option('memory-limit', { type: 'string', describe: 'Resident memory limit (e.g. 256MiB; at least 4KiB); above it reclaim swaps anon pages out' })
      .option('swap', { choices: ['zram', 'nvme', 'hdd'] as const, default: 'zram' as const, describe: 'Swap device (zram is SWP_SYNCHRONOUS_IO)' })
      .option('disk', { choices: ['nvme', 'hdd'] as const, default: 'nvme' as const, describe: 'Disk behind file-backed mappings' })
      .option('nodes', { type: 'number', default: 2, describe: 'NUMA nodes, 1 to 64 (CPUs split evenly, in order)' })
      .option('hz', { type: 'number', default: 1000, describe: 'Timer tick rate, 10 to 10000 (a jiffy is 1/HZ s)' })
      .option('timing', { choices: ['trace', 'gap'] as const, default: 'trace' as const, describe: "Row start: 'trace' = max(ts, end of the thread's previous row); 'gap' = previous end + recorded gap (recorded gaps already contain the recording kernel's time, so gap replays slower than the recording)" })
      .option('costs', { type: 'string', describe: "JSON file overriding cost figures in ns by name, each 0 to 1e9 (see 'mmreplay list costs')" })
      .option('seed', { type: 'number', default: 1, describe: 'Seed of device latencies and interrupt jitter' })
      .option('auto-vma', { type: 'boolean', describe: 'Create an anonymous VMA around accesses outside every VMA (default: on for perf/ftrace/lackey traces)' })
      .option('timeline', { type: 'string', describe: 'Also write the replay as Chrome trace-event JSON (open in ui.perfetto.dev)' })
      .option('timeline-limit', { type: 'number', default: DEFAULT_TIMELINE_LIMIT, describe: 'Maximum timeline events, 1 to 100000000; past it the timeline is cut with a message' })
      .option('unit', { choices: ['ns', 'cycles'] as const, default: 'ns' as const, describe: 'Time unit of outputs' })
      .option('out', { alias: 'o', type: 'string', describe: 'Output directory (default out/<trace name>)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the summary rows as JSON instead of tables' })
      .option('events', { type: 'boolean', describe: `Write events.arrow, one row per replayed event per policy (default: on for traces of up to ${EVENTS_DEFAULT_MAX_ROWS.toLocaleString('en-US')} rows; --no-events to skip)` })
      .example('$0 replay traces/mixed.csv', 'replay under the newest preset, write out/mixed/')
      .example('$0 replay traces/migration-selftest.csv --policy linux-2.6.34-rc --policy linux-6.12 --baseline linux-6.12', 'compare two kernels')
      .example('$0 replay traces/swapin-race.csv --axis swapin -o out/swapin', 'every swapin variant on linux-6.12'),
  handler: async (args) => {
    await runReplay(io, args as unknown as ReplayArgs);
  },
});

