/**
 * A job that finished without its reply reaching the runner is enqueued again. The "worker" here
 * is a plain BullMQ Worker registered under a Weft record: it completes jobs and never replies,
 * as a worker whose reply write failed would.
 */
import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerRecord } from '@weft/engine/fleet';
import { SpanNames } from '@weft/engine/tracing';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { fleetRunner, spawnWorker, stopAll, waitFor, waitForWorkers, type Runner } from './fleet-harness.js';

let redis: PrivateRedis;
let runner: Runner;
let client: Redis;
let silent: Worker | undefined;

const record = (): WorkerRecord => ({
  id: 'silent',
  host: hostname(),
  pid: process.pid,
  capabilities: ['*'],
  concurrency: 4,
  taskTypes: ['t.where'],
  queues: ['w.silent'],
  startedAt: new Date().toISOString(),
  heartbeatAt: new Date().toISOString(),
  draining: false,
  stats: { inFlight: 0, ewmaLatencyMs: 0, successRate: 1, completed: 0, failed: 0, recentErrors: [] },
});

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  await client.set('{weft}:worker:silent', JSON.stringify(record()), 'PX', 60_000);
  await client.zadd('{weft}:workers', Date.now(), 'silent');
  silent = new Worker('w.silent', async () => null, { connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null }, prefix: '{weft}' });
  runner = await fleetRunner(redis.url, { lostJobCheckMs: 300 });
}, 60_000);

afterAll(async () => {
  await silent?.close();
  await runner?.engine.close();
  await stopAll();
  client?.disconnect();
  await redis?.stop();
});

describe('a reply that never comes', () => {
  it('enqueues the finished job again, and the run completes on a worker that answers', async () => {
    await waitFor('the runner to see the silent worker', () => runner.engine.workers().some((w) => w.id === 'silent'));
    const run = runner.engine.run({ name: 'reply-lost', steps: [{ id: 'x', task: 't.where' }] });
    const lost = await waitFor(
      'a re-route for the lost reply',
      () => runner.exporter.getFinishedSpans().find((s) => s.name === SpanNames.DECISION_REROUTE),
      10_000,
    );
    expect(lost.attributes['weft.decision.reason']).toBe('job completed but its reply was lost');
    expect(lost.attributes['weft.decision.from']).toBe('silent');
    // The silent worker leaves; one that answers joins.
    await silent!.close();
    silent = undefined;
    await client.del('{weft}:worker:silent');
    const real = spawnWorker({ id: 'real', redisUrl: redis.url });
    await waitForWorkers(redis.url, ['real'], [real]);
    const result = await run;
    expect(result.status).toBe('succeeded');
    expect((result.outputs['x'] as { worker: string }).worker).toBe('real');
  });
});
