/**
 * `mmreplay list costs [--json]`: every figure of the cost model (src/replay/costs.ts) with its
 * value in ns, in cycles at the default 3 GHz clock (as the replay converts it), and its source.
 * Override figures by name with `mmreplay replay --costs FILE.json`.
 */
import Table from 'cli-table3';
import { COST_RANGE_NS, DEFAULT_COSTS, toCycles, type CostName } from '../replay/costs.js';
import { DEFAULT_COLUMNS } from '../report/fit_table.js';
import { println, type CliIO } from './io.js';
import type { ListTopic } from './common.js';

/** The clock the listing converts at (the `--cpu-ghz` default). */
export const LIST_CPU_GHZ = 3;
/** The tick rate the jiffy line uses (the `--hz` default). */
export const LIST_HZ = 1000;

/** One cost figure as listed. */
export interface CostListing {
  name: string;
  ns: number;
  cycles: number;
  source: string;
}

/** Every cost figure, in the cost model's order, with cycles at `LIST_CPU_GHZ`. */
export function costListing(): { cpu_ghz: number; hz: number; jiffy_ns: number; jiffy_cycles: number; range_ns: { min: number; max: number }; costs: CostListing[] } {
  const names = Object.keys(DEFAULT_COSTS) as CostName[];
  const ns = Object.fromEntries(names.map((n) => [n, DEFAULT_COSTS[n].ns])) as Record<CostName, number>;
  const cycles = toCycles(ns, LIST_CPU_GHZ, LIST_HZ);
  return {
    cpu_ghz: LIST_CPU_GHZ,
    hz: LIST_HZ,
    jiffy_ns: 1e9 / LIST_HZ,
    jiffy_cycles: cycles.jiffy,
    range_ns: { ...COST_RANGE_NS },
    costs: names.map((n) => ({ name: n, ns: DEFAULT_COSTS[n].ns, cycles: cycles[n], source: DEFAULT_COSTS[n].source })),
  };
}

/** Print the cost table; the source column wraps so the table fits `width` columns. */
export function printCosts(io: CliIO, width: number = DEFAULT_COLUMNS): void {
  const listing = costListing();
  const rows = listing.costs.map((c) => [c.name, String(c.ns), String(c.cycles), c.source]);
  const head = ['cost', 'ns', `cycles @ ${listing.cpu_ghz} GHz`, 'source'];
  const w = [0, 1, 2].map((j) => Math.max(head[j]!.length, ...rows.map((r) => r[j]!.length)) + 2);
  // Five vertical borders; the source column takes the rest (cli-table3 counts padding in colWidths).
  const sourceW = Math.max(24, width - w.reduce((a, b) => a + b, 0) - 5);
  const table = new Table({
    head,
    colWidths: [...w, sourceW],
    colAligns: ['left', 'right', 'right', 'left'],
    wordWrap: true,
    style: { head: [], border: [], compact: true },
  });
  for (const r of rows) table.push(r);
  println(io.stdout, table.toString());
  println(io.stdout, `One jiffy at --hz ${listing.hz}: ${listing.jiffy_ns} ns = ${listing.jiffy_cycles} cycles (timeout_min is this, from --hz).`);
  println(io.stdout, 'Cycles follow --cpu-ghz; override figures in ns by name with --costs FILE.json ({"name": ns} or {"name": {"ns": N}}).');
  println(io.stdout, `Each figure may be set from ${listing.range_ns.min} to ${listing.range_ns.max} ns (1 s); a value outside that range is an error (exit 2).`);
}

/** The `list costs` topic. */
export const COSTS_TOPIC: ListTopic = {
  describe: 'every cost-model figure with ns, cycles at 3 GHz, and its source',
  text: (io) => printCosts(io),
  json: costListing,
};
