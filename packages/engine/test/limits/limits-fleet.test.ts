/**
 * Per-key limits across a fleet (real Redis, three workers): concurrency per key never exceeds
 * its limit, rate stays within max per perMs over sliding windows, a saturated key holds no other
 * key back, and a worker SIGKILLed while holding a place frees it when its lease expires.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, pipeline, type Engine } from '@weft/engine';
import { createRedisClient, FleetWorker } from '@weft/engine/fleet';
import { Telemetry } from '@weft/engine/tracing';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { fleetRunner, spawnFleet, stopAll, waitFor, type Runner } from '../fleet/fleet-harness.js';
import { peakConcurrency, peakStartsPerWindow } from './limit-checks.js';
import limitsPlugin, { log } from './limits-plugin.js';

const pluginPath = fileURLToPath(new URL('./limits-plugin.ts', import.meta.url));
const LEASE_MS = 1000;
let redis: PrivateRedis;
let handlersEngine: Engine;
let runner: Runner;
const workers: FleetWorker[] = [];

async function startWorker(id: string): Promise<FleetWorker> {
  const w = new FleetWorker(
    { redisUrl: redis.url, id, concurrency: 4, heartbeatMs: 150, heartbeatTtlMs: 700, limitLeaseMs: LEASE_MS, limitRetryMs: 20 },
    { handlers: handlersEngine.handlers, telemetry: new Telemetry() },
  );
  await w.start();
  workers.push(w);
  return w;
}

beforeAll(async () => {
  redis = await startRedis();
  handlersEngine = await createEngine({ plugins: [limitsPlugin] });
  runner = await fleetRunner(redis.url, {}, { plugins: [limitsPlugin] });
});
afterAll(async () => {
  await runner?.engine.close();
  for (const w of workers) await w.close();
  await handlersEngine?.close();
  await stopAll();
  await redis?.stop();
});

const items = (tenant: string, n: number, ms: number) => Array.from({ length: n }, () => ({ tenant, ms }));
const limited = { input: { tenant: { $ref: 'item.tenant' }, ms: { $ref: 'item.ms' } }, limitKey: { $ref: 'item.tenant' } } as const;

describe('per-key limits on a fleet', () => {
  it('three workers, two keys: concurrency per key stays within its limit, and is reached', async () => {
    for (const id of ['lw1', 'lw2', 'lw3']) await startWorker(id);
    log.length = 0;
    const p = pipeline('conc')
      .step('a', 'lim.work', { ...limited, forEach: items('A', 12, 40), concurrency: 2 })
      .step('b', 'lim.work', { ...limited, forEach: items('B', 12, 40), concurrency: 3 })
      .build();
    await runner.engine.run(p);
    expect(peakConcurrency(log, 'A')).toBe(2);
    expect(peakConcurrency(log, 'B')).toBe(3);
    // Spread over the workers, so the limit held across processes' worth of state.
    expect(new Set(log.map((s) => s.worker)).size).toBeGreaterThan(1);
  });

  it("rate: at most max starts in any perMs window (tolerance: windows 150 ms short of perMs), and another key's tasks pass meanwhile", async () => {
    log.length = 0;
    const p = pipeline('rate')
      .step('c', 'lim.work', { ...limited, forEach: items('R', 30, 1), rate: { max: 10, perMs: 1000 } })
      .step('o', 'lim.work', { ...limited, forEach: items('O', 12, 1), rate: { max: 100, perMs: 1000 } })
      .build();
    await runner.engine.run(p);
    // Admission is atomic in Redis and exact (redis-rate.test.ts, on Redis' clock); a handler's own
    // stamp comes after it by however long a loaded machine takes, by an amount that varies per job.
    expect(peakStartsPerWindow(log, 'R', 850)).toBeLessThanOrEqual(10);
    const starts = log.filter((s) => s.key === 'R').map((s) => s.start);
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(1900);
    // The saturated key held no other key back: all of O's tasks ended before R's third window began.
    expect(Math.max(...log.filter((s) => s.key === 'O').map((s) => s.end))).toBeLessThan([...starts].sort((a, b) => a - b)[20]!);
  });

  it("lets another key's tasks pass while one key is saturated", async () => {
    log.length = 0;
    const p = pipeline('other')
      .step('slow', 'lim.work', { ...limited, forEach: items('S', 6, 80), concurrency: 1 })
      .step('fast', 'lim.work', { ...limited, forEach: items('F', 12, 1), concurrency: 4 })
      .build();
    await runner.engine.run(p);
    const lastFast = Math.max(...log.filter((s) => s.key === 'F').map((s) => s.end));
    const slowDone = log.filter((s) => s.key === 'S' && s.end <= lastFast).length;
    expect(slowDone).toBeLessThanOrEqual(2);
  });

  it("frees a SIGKILLed worker's place when its lease expires, not before, and the run completes", async () => {
    for (const w of workers.splice(0)) await w.close();
    const [holder] = await spawnFleet(redis.url, [
      { id: 'lk-1', plugins: false, extra: ['--plugins', pluginPath, '--limit-lease-ms', String(LEASE_MS)], env: { WEFT_TEST_HOLD_MS: '60000' } },
    ]);
    const client = createRedisClient(redis.url);
    try {
      log.length = 0;
      const running = runner.engine.run(pipeline('hold').step('h', 'lim.hold', { limitKey: 'K', concurrency: 1 }).build());
      const key = '{weft}:limit:K:holders';
      await waitFor('the killed worker to hold the place', async () => (await client.zcard(key)) === 1);
      holder!.child.kill('SIGKILL');
      await holder!.exited;
      const [, deadline] = await client.zrange(key, 0, 0, 'WITHSCORES');
      await startWorker('lk-2');
      const result = await running;
      expect(result.outputs['h']).toBe('lk-2');
      const start = log.find((s) => s.key === 'hold')!.start;
      // Not before the dead holder's lease ran out (Redis and this process share the clock)…
      expect(start).toBeGreaterThanOrEqual(Number(deadline) - 5);
      // …and not long after it: the place did not leak.
      expect(start - Number(deadline)).toBeLessThan(3000);
    } finally {
      client.disconnect();
    }
  });
});
