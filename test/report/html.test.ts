import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtmlReport } from '../../src/report/html.js';
import { renumberIds } from '../../src/report/plots.js';
import { buildReportData } from '../../src/report/report_data.js';
import { tempDir } from '../helpers/sources.js';
import { smallResult } from './fixture.js';

const CHROMIUM = '/usr/bin/chromium';
/** Printed, and asserted, when the headless check cannot run. */
export const CHROMIUM_SKIP_REASON = `headless render check not run: ${CHROMIUM} not found (install it with: apt-get update && apt-get install -y chromium)`;

const EVIL = '<script>alert(1)</script>';

async function html(result = smallResult()): Promise<string> {
  return renderHtmlReport(buildReportData(result, { unit: 'ns' }), { baseline: result.policies[0]!.policy });
}

describe('report.html', () => {
  it('escapes policy labels, trace paths, op and lock names and messages from traces or users', async () => {
    const r = smallResult(`linux-6.8+${EVIL}`, 'linux-6.12');
    r.trace.path = `traces/"><img src=x onerror=alert(2)>.csv`;
    r.policies[0]!.latency[0]!.path = EVIL;
    r.policies[0]!.locks[0]!.lock = EVIL;
    r.policies[0]!.findings[0]!.message = EVIL;
    const page = await html(r);
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<img/i);
    expect(page).toContain('linux-6.8+&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(page).toContain('traces/&#34;&#62;&#60;img src=x onerror=alert(2)&#62;.csv');
    expect(escapeHtml(`a&b<'"`)).toBe('a&#38;b&#60;&#39;&#34;');
  });

  it('is self-contained: inline SVG plots, no script, stylesheet or fetch of anything', async () => {
    const page = await html();
    expect(page.match(/<svg[\s>]/g)?.length).toBe(5);
    for (const id of ['fault-cdf', 'lock-wait', 'lock-hold', 'refcount', 'integrity']) expect(page).toContain(`<figure id="plot-${id}">`);
    expect(page).not.toMatch(/<link|<script|<img|<iframe|@import|url\(http/i);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(page).toContain('<h2>Settings</h2>');
    expect(page).toContain('skip-prepare-wq');
  });

  it('is byte-identical across renders (plot ids renumbered per plot)', async () => {
    expect(await html()).toBe(await html());
    expect(renumberIds('<g id="clip7"><path clip-path="url(#clip7)"/></g><use href="#clip7"/>', 'p')).toBe('<g id="p-1"><path clip-path="url(#p-1)"/></g><use href="#p-1"/>');
  });

  it('says so instead of drawing an empty plot when there is nothing to show', async () => {
    const r = smallResult();
    for (const p of r.policies) { p.integrity = []; p.refcount = []; }
    const page = await html(r);
    expect(page).toContain('No integrity violations.');
    expect(page).toContain('No refcount checks.');
    expect(page.match(/<svg[\s>]/g)?.length).toBe(3);
  });

  it('renders in headless Chromium with every plot drawn', async () => {
    if (!existsSync(CHROMIUM)) {
      const printed: string[] = [];
      const report = (line: string) => { printed.push(line); console.warn(line); };
      report(CHROMIUM_SKIP_REASON);
      expect(printed).toEqual([`headless render check not run: ${CHROMIUM} not found (install it with: apt-get update && apt-get install -y chromium)`]);
      return;
    }
    const dir = tempDir();
    const file = join(dir, 'report.html');
    writeFileSync(file, await html());
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', `--user-data-dir=${join(dir, 'profile')}`];
    const dom = spawnSync(CHROMIUM, [...flags, '--dump-dom', `file://${file}`], { encoding: 'utf8', timeout: 90_000 });
    expect(dom.status).toBe(0);
    expect(dom.stdout.match(/<svg[\s>]/g)?.length).toBe(5);
    // Drawn marks in the rendered DOM: one CDF line per policy, a dot per lock class and
    // policy with a non-zero total (2 waits + 4 holds), a bar per refcount/integrity cell (4 + 1).
    expect(dom.stdout.match(/aria-roledescription="line mark"/g)?.length).toBe(2);
    expect(dom.stdout.match(/aria-roledescription="point"/g)?.length).toBe(6);
    expect(dom.stdout.match(/aria-roledescription="bar"/g)?.length).toBe(5);
    const png = join(dir, 'shot.png');
    const shot = spawnSync(CHROMIUM, [...flags, '--window-size=1280,2000', `--screenshot=${png}`, `file://${file}`], { encoding: 'utf8', timeout: 90_000 });
    expect(shot.status).toBe(0);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(bytes.length).toBeGreaterThan(20_000);
  });
});
