/**
 * `mmreplay list TOPIC [--json]`: what mmreplay offers. Each topic is one entry of LIST_TOPICS
 * (a printer for text and one for JSON); `list policies` (list_policies.ts) and `list costs`
 * (list_costs.ts) live in their own modules. An unknown topic is a usage error (exit 2) naming
 * the topics there are.
 */
import type { Argv } from 'yargs';
import { SCENARIOS, scenarioInfo } from '../ingest/synthetic/index.js';
import { InputError } from '../util/errors.js';
import type { CommandFactory, ListTopic } from './common.js';
import { println, type CliIO } from './io.js';
import { COSTS_TOPIC } from './list_costs.js';
import { POLICIES_TOPIC } from './list_policies.js';

/** Topic name -> printer. */
export const LIST_TOPICS: Readonly<Record<string, ListTopic>> = {
  scenarios: {
    describe: 'synthetic scenarios of `mmreplay generate`, with their parameters and defaults',
    text: printScenarios,
    json: () => SCENARIOS.map(scenarioInfo),
  },
  policies: POLICIES_TOPIC,
  costs: COSTS_TOPIC,
};

/** The `list` command. */
export const listCommand: CommandFactory = (io) => ({
  command: 'list <topic>',
  describe: `List what mmreplay offers: ${Object.keys(LIST_TOPICS).join(', ')}`,
  builder: (y: Argv) =>
    y
      .positional('topic', { type: 'string', describe: Object.entries(LIST_TOPICS).map(([k, t]) => `${k}: ${t.describe}`).join('; ') })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' }),
  handler: (args) => {
    const argv = args as unknown as { topic: string; json: boolean };
    const topic = Object.hasOwn(LIST_TOPICS, argv.topic) ? LIST_TOPICS[argv.topic] : undefined;
    if (topic === undefined) {
      throw new InputError({ code: 'usage', stage: 'list', text: argv.topic, expected: `unknown topic; available: ${Object.keys(LIST_TOPICS).join(', ')}` });
    }
    if (argv.json) println(io.stdout, JSON.stringify(topic.json(), null, 2));
    else topic.text(io);
  },
});

/** Scenario listing: name and summary, source, then one aligned line per parameter. */
function printScenarios(io: CliIO): void {
  const infos = SCENARIOS.map(scenarioInfo);
  const keyW = Math.max(...infos.flatMap((s) => s.params.map((p) => p.key.length)));
  const defW = Math.max(...infos.flatMap((s) => s.params.map((p) => String(p.default).length)));
  const domW = Math.max(...infos.flatMap((s) => s.params.map((p) => p.domain.length)));
  infos.forEach((s, i) => {
    if (i > 0) println(io.stdout);
    println(io.stdout, `${s.name}: ${s.summary}`);
    println(io.stdout, `  mirrors: ${s.reference}`);
    if (s.threadsParam !== null) println(io.stdout, `  --threads N sets ${s.threadsParam}`);
    for (const p of s.params) {
      println(io.stdout, `  ${p.key.padEnd(keyW)}  ${String(p.default).padEnd(defW)}  ${p.domain.padEnd(domW)}  ${p.doc}`);
    }
  });
}
