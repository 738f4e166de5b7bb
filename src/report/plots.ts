/**
 * The HTML report's plots: vega-lite specs built from report rows, compiled to vega and rendered
 * to SVG in Node with vega's headless view (`renderer: 'none'`, no canvas). Vega escapes every
 * text it draws. Element ids are renumbered per plot so the inlined SVGs do not collide and two
 * renders of one run are byte-identical (vega numbers clip paths with a process-wide counter).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Row, TimeUnit } from './columns.js';

const WIDTH = 520;
const HEIGHT = 260;

/** A vega-lite spec, an ASCII name for its ids, and what it shows (for the figure caption). */
export interface PlotSpec {
  id: string;
  title: string;
  spec: TopLevelSpec;
}

/** Replace every id of an SVG with `prefix-N`, numbered in order of appearance. */
export function renumberIds(svg: string, prefix: string): string {
  const ids = [...svg.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]!);
  const map = new Map<string, string>();
  for (const id of ids) if (!map.has(id)) map.set(id, `${prefix}-${map.size + 1}`);
  return svg.replace(/\bid="([^"]+)"|url\(#([^)]+)\)|href="#([^"]+)"/g, (whole, a?: string, b?: string, c?: string) => {
    if (a !== undefined) return `id="${map.get(a) ?? a}"`;
    if (b !== undefined) return `url(#${map.get(b) ?? b})`;
    return `href="#${map.get(c!) ?? c}"`;
  });
}

/**
 * A vega logger that never prints (library code does not write to the console): warnings are
 * dropped, errors throw with the plot's id.
 */
function quietLogger(id: string): vega.LoggerInterface {
  return vega.logger(vega.Error, 'error', (_method, _level, args) => {
    throw new Error(`plot ${id}: ${args.map(String).join(' ')}`);
  });
}

/** Render a vega-lite spec to an SVG string. */
export async function renderSvg(plot: PlotSpec): Promise<string> {
  const logger = quietLogger(plot.id);
  const view = new vega.View(vega.parse(compile(plot.spec, { logger }).spec), { renderer: 'none', logger });
  try {
    return renumberIds(await view.toSVG(), plot.id);
  } finally {
    view.finalize();
  }
}

const policyColor = (order: readonly string[]) => ({
  field: 'policy', type: 'nominal' as const, title: 'policy', scale: { domain: [...order] }, legend: { labelLimit: 360, orient: 'bottom' as const, columns: 2 },
});

/** Fault latency CDF per policy on a log time axis (fault_cdf.csv). */
export function faultCdfPlot(rows: readonly Row[], order: readonly string[], unit: TimeUnit): PlotSpec {
  const values = rows.filter((r) => typeof r.ns === 'number' && r.ns > 0).map((r) => ({ policy: r.policy, quantile: r.quantile, t: r.ns }));
  return {
    id: 'fault-cdf',
    title: 'Fault latency CDF per policy',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH, height: HEIGHT, data: { values },
      mark: { type: 'line', interpolate: 'step-after', point: false },
      encoding: {
        x: { field: 't', type: 'quantitative', title: `fault latency (${unit}, log scale)`, scale: { type: 'log' } },
        y: { field: 'quantile', type: 'quantitative', title: 'fraction of faults', scale: { domain: [0, 1] } },
        color: policyColor(order),
        // Dashes too, so policies with identical curves stay visible on top of each other.
        strokeDash: { ...policyColor(order) },
      },
    },
  };
}

/**
 * Lock wait or hold time per lock class and policy (locks.csv): a dot per policy on a log time
 * axis, so classes whose totals differ by orders of magnitude stay readable (bars cannot start
 * at zero on a log axis).
 */
export function lockPlot(rows: readonly Row[], order: readonly string[], unit: TimeUnit, what: 'wait' | 'hold'): PlotSpec {
  const key = `${what}_total_ns`;
  const values = rows.filter((r) => typeof r[key] === 'number' && (r[key] as number) > 0)
    .map((r) => ({ policy: r.policy, lock: `${r.lock} ${r.type}`, t: r[key] }));
  return {
    id: `lock-${what}`,
    title: `Lock ${what} time per lock class (total over the run)`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      // One 12-pixel row per policy within each lock class.
      width: WIDTH, height: { step: 12, for: 'offset' }, data: { values },
      mark: { type: 'point', filled: true, size: 70, opacity: 0.9 },
      encoding: {
        y: { field: 'lock', type: 'nominal', title: 'lock class and type', axis: { labelLimit: 200 } },
        yOffset: { field: 'policy', type: 'nominal', scale: { domain: [...order] } },
        x: { field: 't', type: 'quantitative', title: `total ${what} (${unit}, log scale)`, scale: { type: 'log' } },
        color: policyColor(order),
      },
    },
  };
}

/** Counts per policy as bars stacked by `stack` (a field of `values`), policies in the order given. */
function stackedBars(
  id: string, title: string, values: readonly Record<string, string | number>[], order: readonly string[],
  yTitle: string, stack: string, stackTitle: string, labelLimit?: number,
): PlotSpec {
  return {
    id,
    title,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH, height: HEIGHT, data: { values },
      mark: 'bar',
      encoding: {
        x: { field: 'policy', type: 'nominal', scale: { domain: [...order] }, axis: { labelAngle: -30, labelLimit: 240 } },
        y: { field: 'count', type: 'quantitative', title: yTitle },
        color: { field: stack, type: 'nominal', title: stackTitle, ...(labelLimit !== undefined ? { legend: { labelLimit } } : {}) },
      },
    },
  };
}

/** Refcount check outcomes per policy, stacked by path, outcome and holder (refcount.csv). */
export function refcountPlot(rows: readonly Row[], order: readonly string[]): PlotSpec {
  const values = rows.map((r) => ({ policy: r.policy, outcome: `${r.path} ${r.outcome} (${r.holder})`, count: r.count }));
  return stackedBars('refcount', 'Refcount checks: outcome and holder of the unexpected reference', values, order, 'checks', 'outcome', 'path outcome (holder)', 360);
}

/** Integrity findings per policy and kind (integrity.csv). */
export function integrityPlot(rows: readonly Row[], order: readonly string[]): PlotSpec {
  const values = rows.map((r) => ({ policy: r.policy, kind: r.kind, count: r.count }));
  return stackedBars('integrity', 'Integrity violations per policy', values, order, 'violations', 'kind', 'kind');
}
