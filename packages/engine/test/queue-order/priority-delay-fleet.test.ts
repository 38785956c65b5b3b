/**
 * Priorities and delays on a fleet, with a real `weft worker` process (concurrency 1) and Redis:
 * under a backlog, a high-priority run's tasks overtake low-priority ones queued earlier; a step
 * with `delayMs` waits in BullMQ's delayed set before it starts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PipelineDefinition } from '@weft/engine';
import { createRedisClient, FleetKeys } from '@weft/engine/fleet';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { effectsLog, fleetRunner, pluginPath, runWeft, spawnFleet, stopAll, waitFor, type Runner } from '../fleet/fleet-harness.js';

let redis: PrivateRedis;
let runner: Runner;
const effects = effectsLog();

beforeAll(async () => {
  redis = await startRedis();
  await spawnFleet(redis.url, [{ id: 'q1', concurrency: 1, env: effects.env }]);
  runner = await fleetRunner(redis.url);
}, 120_000);

afterAll(async () => {
  await runner?.engine.close();
  await stopAll();
  await redis?.stop();
});

const fan = (name: string, tags: string[], ms: number): PipelineDefinition => ({
  name,
  maxParallel: 20,
  steps: [{ id: 'w', task: 't.work', forEach: tags, input: { ms, tag: { $ref: 'item' } } }],
});

describe('priorities on a fleet', () => {
  it('high-priority tasks finish before low-priority ones queued earlier', async () => {
    const lows = Array.from({ length: 8 }, (_, i) => `low-${i}`);
    const highs = ['high-0', 'high-1', 'high-2'];
    const low = runner.engine.run(fan('low', lows, 150), {}, { priority: -10 });
    // The backlog: the worker runs one low task, seven wait on its queue.
    await waitFor('the first low task to start', () => effects.read().some((e) => e.kind === 'start' && e.tag.startsWith('low-')));
    const high = runner.engine.run(fan('high', highs, 150), {}, { priority: 10 });
    await Promise.all([low, high]);
    const done = effects.read().filter((e) => e.kind === 'done');
    const lastHigh = Math.max(...highs.map((t) => done.findIndex((e) => e.tag === t)));
    const lowsAfter = done.slice(lastHigh + 1).filter((e) => e.tag.startsWith('low-')).length;
    // At most two lows (the running one and one the worker may have fetched) pass before the highs.
    expect(lowsAfter, done.map((e) => e.tag).join(' ')).toBeGreaterThanOrEqual(5);
  }, 60_000);

  it("keeps a run's priority in its record, for whoever drives it", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'weft-prio-')), 'p.json');
    writeFileSync(file, JSON.stringify(fan('kept', ['k0'], 1)));
    const detached = await runWeft(['run', file, '--detach', '--priority', '3', '--plugins', pluginPath, '--redis', redis.url]);
    expect(detached.code, detached.stderr).toBe(0);
    const runId = detached.stdout.trim();
    const client = createRedisClient(redis.url);
    try {
      const meta = await waitFor('the detached run to end', async () => {
        const m = JSON.parse((await client.hget(new FleetKeys().run(runId), 'meta')) ?? '{}') as { status?: string; priority?: number };
        return m.status === 'succeeded' ? m : undefined;
      });
      expect(meta.priority).toBe(3);
    } finally {
      client.disconnect();
    }
  }, 60_000);

  it('refuses a priority out of range, naming the fix', async () => {
    await expect(runner.engine.run(fan('x', ['a'], 1), {}, { priority: 5000 })).rejects.toMatchObject({ code: 'WEFT_CONFIG_INVALID' });
    const bad = await runWeft(['run', 'nope.yaml', '--priority', 'urgent']);
    expect(bad.stderr).toContain('--priority must be an integer from -1000 to 1000');
  }, 30_000);
});

describe('delays on a fleet', () => {
  it('a step with delayMs starts no sooner, and waits in the delayed set', async () => {
    const before = Date.now();
    const run = runner.engine.run({ name: 'later', steps: [{ id: 'd', task: 't.work', delayMs: 1200, input: { ms: 1, tag: 'delayed-0' } }] });
    const client = createRedisClient(redis.url);
    try {
      await waitFor('the job in the delayed set', async () => (await client.zcard('{weft}:w.q1:delayed')) === 1);
    } finally {
      client.disconnect();
    }
    await run;
    const start = effects.read().find((e) => e.kind === 'start' && e.tag === 'delayed-0')!;
    expect(start.at - before).toBeGreaterThanOrEqual(1200);
  }, 30_000);
});
