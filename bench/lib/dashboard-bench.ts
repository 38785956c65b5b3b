/**
 * The dashboard's costs, measured in a real browser (chromium-headless-shell through
 * playwright-core) against a `weft dashboard` child process on a private Redis:
 * - first load with 100 workers and 1,000 runs in Redis, until every row shows;
 * - a step's completion (the runner's step:end) reaching the run page's DAG, p95;
 * - the dashboard process's RSS (the larger of after the loads and after the runs).
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createEngine, type PipelineDefinition } from '@weft/engine';
import { createRedisClient, fleetRuntime, FleetKeys, FleetWorker } from '@weft/engine/fleet';
import { Telemetry } from '@weft/engine/tracing';
import { startRedis } from '../../test-support/redis-server.js';
import { percentile } from '../../test-support/bench-report.js';

const WEFT = fileURLToPath(new URL('../../packages/engine/bin/weft.js', import.meta.url));
const CHROMIUM = '/usr/bin/chromium-headless-shell';

export interface DashboardBench {
  readonly loadMs: number;
  readonly updateP95Ms: number;
  readonly updateSamples: number;
  readonly rssMb: number;
}

/** 100 worker records (heartbeats far in the future of the bench), their queues, and 1,000 ended runs. */
async function seed(url: string): Promise<void> {
  const redis = createRedisClient(url, { maxRetriesPerRequest: 1 });
  const keys = new FleetKeys();
  const now = Date.now();
  const m = redis.multi();
  for (let i = 0; i < 100; i++) {
    const id = `bench-${String(i).padStart(3, '0')}`;
    const record = {
      id,
      host: 'bench',
      pid: 1000 + i,
      capabilities: i % 3 === 0 ? ['lang:python'] : ['lang:typescript', 'gpu'],
      concurrency: 8,
      // No handler the bench runs: routing leaves these records alone (nothing consumes their queues).
      taskTypes: ['bench.seeded'],
      queues: [`w.${id}`, 'pool.any'],
      startedAt: new Date(now - 60_000).toISOString(),
      heartbeatAt: new Date(now).toISOString(),
      draining: false,
      stats: { inFlight: i % 8, ewmaLatencyMs: 20 + i, successRate: 0.99, completed: 1000 + i, failed: i % 5, recentErrors: [] },
      rssBytes: 80 * 1048576,
    };
    m.set(keys.worker(id), JSON.stringify(record), 'PX', 600_000).zadd(keys.workers, now, id).sadd(keys.queues, `w.${id}`);
  }
  const def = JSON.stringify({
    name: 'seeded',
    steps: [
      { id: 'a', task: 'bench.work' },
      { id: 'b', task: 'bench.work', dependsOn: ['a'] },
    ],
  });
  for (let i = 0; i < 1000; i++) {
    const runId = `seeded-${String(i).padStart(4, '0')}`;
    const startedAt = now - (1000 - i) * 1000;
    const meta = {
      runId,
      pipeline: 'seeded',
      status: i % 10 === 0 ? 'failed' : 'succeeded',
      startedAt: new Date(startedAt).toISOString(),
      durationMs: 800 + i,
    };
    m.hset(keys.run(runId), 'meta', JSON.stringify(meta), 'def', def).zadd(keys.runs, startedAt, runId);
  }
  await m.exec();
  redis.disconnect();
}

function startDashboardProcess(url: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [WEFT, 'dashboard', '--redis', url, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /weft dashboard on (http:\/\/\S+)/u.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`weft dashboard exited with ${code}: ${out}`)));
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/u.exec(status)![1]) / 1024;
}

// Page-side code as text: this file is type-checked without the DOM library.
const ALL_ROWS = "document.querySelectorAll('#workers tbody tr').length >= 100 && document.querySelectorAll('#runs tbody tr').length >= 1000";
/** Notes when each step of the run page's DAG first shows succeeded (the browser and this process share the clock). */
const NOTE_SUCCEEDED = `
  window.seen = {};
  new MutationObserver(() => {
    for (const g of document.querySelectorAll('#run-graph g[data-step]'))
      if (g.dataset.status === 'succeeded' && !(g.dataset.step in window.seen)) window.seen[g.dataset.step] = Date.now();
  }).observe(document.getElementById('run-graph'), { childList: true, subtree: true });
`;

const chain: PipelineDefinition = {
  name: 'chain20',
  steps: Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, task: 'bench.work', input: { ms: 40 }, ...(i > 0 ? { dependsOn: [`s${i - 1}`] } : {}) })),
};

export async function dashboardBench(): Promise<DashboardBench> {
  const redis = await startRedis();
  const dashboard = await startDashboardProcess(redis.url).catch(async (err: unknown) => {
    await redis.stop();
    throw err;
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  // The page's Content-Security-Policy refuses eval, which the bench's page-side probes (text) need.
  const context = await browser.newContext({ bypassCSP: true });
  const work = ({ ms }: { ms?: number }): Promise<number> => new Promise((r) => setTimeout(() => r(ms ?? 0), ms ?? 0));
  const handlers = await createEngine({});
  handlers.registerHandler('bench.work', work);
  let worker: FleetWorker | undefined;
  let runner: Awaited<ReturnType<typeof createEngine>> | undefined;
  try {
    await seed(redis.url);
    // First load: a fresh page until all 100 worker rows and 1,000 run rows show (the median of 3 fresh pages).
    const loads: number[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await context.newPage();
      const t = performance.now();
      await page.goto(dashboard.url);
      await page.waitForFunction(ALL_ROWS);
      loads.push(performance.now() - t);
      await page.close();
    }
    const rssAfterLoad = rssMb(dashboard.child.pid!);

    worker = new FleetWorker(
      { redisUrl: redis.url, id: 'w-real', concurrency: 4, heartbeatMs: 500 },
      { handlers: handlers.handlers, telemetry: new Telemetry() },
    );
    await worker.start();
    const fleet = await fleetRuntime(redis.url, { pollMs: 20, keepRuns: 2000 });
    runner = await createEngine({ ...fleet, plugins: [...fleet.plugins] });
    // The runner knows the type (pipelines are checked against it); the worker runs it.
    runner.registerHandler('bench.work', work);
    const lags: number[] = [];
    for (let r = 0; r < 2; r++) {
      const runId = `bench-chain-${r}`;
      const page = await context.newPage();
      await page.goto(`${dashboard.url}/runs/${runId}`);
      await page.locator('#live.on').waitFor();
      await page.evaluate(NOTE_SUCCEEDED);
      const ended: Record<string, number> = {};
      await runner.run(
        chain,
        {},
        { runId, signal: AbortSignal.timeout(60_000), onEvent: (e) => void (e.type === 'step:end' && (ended[e.stepId] = Date.now())) },
      );
      await page.waitForFunction(`Object.keys(window.seen).length >= ${chain.steps.length}`);
      const seen = await page.evaluate<Record<string, number>>('window.seen');
      for (const [step, at] of Object.entries(ended)) lags.push(seen[step]! - at);
      await page.close();
    }
    return {
      loadMs: percentile(loads, 50),
      updateP95Ms: percentile(lags, 95),
      updateSamples: lags.length,
      rssMb: Math.max(rssAfterLoad, rssMb(dashboard.child.pid!)),
    };
  } finally {
    await browser.close();
    await runner?.close();
    await worker?.close();
    await handlers.close();
    dashboard.child.kill('SIGTERM');
    await new Promise((r) => dashboard.child.once('exit', r));
    await redis.stop();
  }
}
