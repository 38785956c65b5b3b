/**
 * `weft dashboard` in a real browser (Debian's chromium-headless-shell through playwright-core)
 * during a live fleet run: worker rows, the run's DAG followed to done with forEach item counts,
 * a decision's candidates, the cache panel filled by a worker's plugin-cache, the token refused
 * or accepted, and actions refused when read-only.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type DashboardServer } from '@weft/engine/dashboard';
import { PluginStats } from '@weft/engine/fleet';
import cachePlugin from '../../../plugin-cache/src/index.js';
import { inProcessFleet } from '../fleet/fleet-harness.js';

const CHROMIUM = '/usr/bin/chromium-headless-shell';
const SHOTS = fileURLToPath(new URL('../../../../docs/images/', import.meta.url));
const TOKEN = 'test-token-0123456789abcdef';

const fleet = inProcessFleet();
let browser: Browser;
let open: DashboardServer;
let guarded: DashboardServer;

beforeAll(async () => {
  await fleet.startWorker({ id: 'w-alpha', capabilities: ['lang:python'] });
  await fleet.startWorker({ id: 'w-beta' });
  open = await startDashboard({ redis: fleet.redis.url, port: 0 }, { reader: { everyMs: 100 } });
  guarded = await startDashboard({ redis: fleet.redis.url, port: 0, token: TOKEN }, { reader: { everyMs: 100 } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await open?.close();
  await guarded?.close();
});

describe('weft dashboard', () => {
  it('shows the workers, follows a run DAG to done and lists the decision candidates', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    await page.goto(open.url);
    await page.locator('#workers tr[data-worker="w-alpha"]').waitFor();
    await page.locator('#workers tr[data-worker="w-beta"]').waitFor();
    await expect(page.locator('#workers tr[data-worker="w-alpha"]').innerText()).resolves.toContain('lang:python');

    const runner = await fleet.runner();
    const runId = 'dash-run-1';
    const done = runner.engine.run(
      {
        name: 'dash-demo',
        steps: [
          { id: 'prep', task: 't.work', input: { ms: 300, tag: 'prep' } },
          { id: 'each', task: 't.work', forEach: { $ref: 'input.items' }, input: { ms: 120, tag: 'item', n: { $ref: 'item' } }, dependsOn: ['prep'] },
          { id: 'sum', task: 't.add', input: { a: 1, b: 2 }, dependsOn: ['each'] },
        ],
      },
      { items: [1, 2, 3, 4, 5, 6] },
      { runId },
    );
    // The run appears in the list while it runs; its page draws the DAG and follows it live.
    await page.locator(`#runs tr[data-run="${runId}"] a`).click();
    await page.locator('#run-graph g[data-step="prep"]').waitFor();
    await expect(page.locator('#run-graph g[data-step]').count()).resolves.toBe(3);
    await expect(page.locator('#run-graph path[data-edge="prep->each"]').count()).resolves.toBe(1);
    await done;
    await page.locator('#run-summary[data-status="succeeded"]').waitFor();
    await page.locator('#run-graph g[data-step="sum"][data-status="succeeded"]').waitFor();
    await expect(page.locator('#run-graph g[data-step="each"] text.sub').textContent()).resolves.toBe('6/6 items');
    if (process.env['WEFT_SCREENSHOTS']) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}dashboard-run.png` });
    }

    await page.locator('a.brand').click();
    const decision = page.locator(`#decisions tr[data-task="${runId}:sum"] td.candidates`);
    await decision.waitFor();
    const candidates = await decision.innerText();
    expect(candidates).toContain('w-alpha');
    expect(candidates).toContain('w-beta');
    await expect(page.locator(`#runs tr[data-run="${runId}"]`).getAttribute('data-status')).resolves.toBe('succeeded');

    // A task that fails for good shows in the dead letters, with its error.
    await runner.engine
      .run({ name: 'dash-fail', steps: [{ id: 'boom', task: 't.fail', input: { message: 'failed on purpose' } }] }, {}, { runId: 'dash-run-2' })
      .catch(() => {});
    await expect(page.locator('#dead-letters tbody tr').first().innerText()).resolves.toContain('failed on purpose');
    if (process.env['WEFT_SCREENSHOTS']) await page.screenshot({ path: `${SHOTS}dashboard-overview.png`, fullPage: true });
    await page.close();
  });

  it('shows the cache panel: hit ratio, entries and memory against the budget, fleet-wide and per worker', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    await page.goto(open.url);
    await page.locator('#live.on').waitFor();
    await expect(page.locator('#cache').isHidden()).resolves.toBe(true);

    // As `weft worker` does: the engine that drives runs reports on the worker's heartbeat.
    const stats = new PluginStats();
    await fleet.startWorker({ id: 'w-cache', stats });
    const budget = 4 * 1024 * 1024;
    const runner = await fleet.runner(
      {},
      { plugins: [{ plugin: cachePlugin, config: { memoryBudgetBytes: budget, types: { 't.add': {} } } }], pluginStats: stats },
    );
    const pipeline = { name: 'dash-cached', steps: [{ id: 'sum', task: 't.add', input: { a: 20, b: 22 } }] };
    await runner.engine.run(pipeline, {}, { runId: 'dash-cache-miss' });
    const hit = await runner.engine.run(pipeline, {}, { runId: 'dash-cache-hit' });
    expect(hit.outputs['sum']).toBe(42);

    // One miss (then stored), one hit: live on the page through the event stream.
    const worker = page.locator('#cache tr[data-worker="w-cache"]');
    await page.locator('#cache-summary[data-ratio="0.5"]').waitFor();
    const summary = await page.locator('#cache-summary').innerText();
    expect(summary).toContain('hit ratio 50.0%');
    expect(summary).toContain('1 hit of 2 lookups (exact 1, near 0, miss 1, notCached 0)');
    expect(summary).toContain('1 entry');
    expect(summary).toContain('of 4.0 MB in memory');
    const cells = await worker.locator('td').allInnerTexts();
    expect(cells.slice(0, 5)).toEqual(['w-cache', '50.0%', '1', '1', '1']);
    expect(cells[5]).toMatch(/^\d+(\.\d)? (B|KB) \/ 4\.0 MB$/u);
    if (process.env['WEFT_SCREENSHOTS']) await page.locator('section:has(#cache)').screenshot({ path: `${SHOTS}dashboard-cache.png` });
    await page.close();
  });

  it('refuses requests and the event stream without the token, and serves the page with it', async () => {
    for (const path of ['/', '/api/snapshot', '/events', '/metrics']) {
      const res = await fetch(`${guarded.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(await res.text()).not.toContain(TOKEN);
    }
    expect((await fetch(`${guarded.url}/api/snapshot`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect((await fetch(`${guarded.url}/api/snapshot`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);

    // Opened once with ?token=, the page's own requests and event stream carry its cookie.
    const page = await browser.newPage();
    await page.goto(`${guarded.url}/?token=${TOKEN}`);
    await page.locator('#workers tr[data-worker="w-beta"]').waitFor();
    await page.locator('#live.on').waitFor();
    expect(page.url()).not.toContain(TOKEN);
    await page.close();
  });

  it('cancels a running run from its page with --allow-actions', async () => {
    const actions = await startDashboard({ redis: fleet.redis.url, port: 0, allowActions: true }, { reader: { everyMs: 100 } });
    try {
      const runner = await fleet.runner();
      const runId = 'dash-run-cancel';
      const ended = runner.engine
        .run({ name: 'dash-long', steps: [{ id: 'long', task: 't.work', input: { ms: 60_000, tag: 'long' } }] }, {}, { runId })
        .catch((err: unknown) => err);
      const page = await browser.newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(`${actions.url}/runs/${runId}`);
      await page.locator('#run-graph g[data-step="long"][data-status="running"]').waitFor();
      await page.locator('button[data-action="cancel"]').click();
      await page.locator('#run-summary[data-status="cancelled"]').waitFor();
      await expect(ended).resolves.toMatchObject({ code: 'WEFT_RUN_CANCELLED' });
      await page.close();
    } finally {
      await actions.close();
    }
  });

  it('refuses actions unless started with --allow-actions', async () => {
    const res = await fetch(`${open.url}/api/runs/dash-run-1/cancel`, { method: 'POST', headers: { 'x-weft-action': 'cancel' } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'WEFT_DASHBOARD_READ_ONLY', message: expect.stringContaining('--allow-actions') });
  });
});
