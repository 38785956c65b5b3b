/** A job Redis lost is enqueued again; a worker gone for good leaves the registry and its queue is deleted. */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanNames } from '@weft/engine/tracing';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { fleetRunner, spawnWorker, stopAll, waitFor, waitForWorkers, type Runner } from './fleet-harness.js';

let redis: PrivateRedis;
let runner: Runner;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  const solo = spawnWorker({ id: 'solo', redisUrl: redis.url, concurrency: 1 });
  await waitForWorkers(redis.url, ['solo'], [solo]);
  runner = await fleetRunner(redis.url, { deadWorkerMs: 1500, lostJobCheckMs: 300 });
}, 120_000);

afterAll(async () => {
  await runner?.engine.close();
  await stopAll();
  client?.disconnect();
  await redis?.stop();
});

const connection = (): { host: string; port: number } => ({ host: '127.0.0.1', port: redis.port });

describe('fleet cleanup', () => {
  it('enqueues again a job that Redis lost while it waited', async () => {
    // One slot: the slow step runs, the quick one waits on the queue, where it is deleted.
    const run = runner.engine.run({
      name: 'lost',
      steps: [
        { id: 'slow', task: 't.slow', input: { ms: 1500, tag: 'lost-slow' } },
        { id: 'quick', task: 't.where' },
      ],
    });
    const queue = new Queue('w.solo', { connection: connection(), prefix: '{weft}' });
    try {
      const waiting = await waitFor('a job waiting on the busy worker', async () => {
        // Every fleet job carries a priority: a waiting one is in BullMQ's prioritized set. Both
        // steps are enqueued at once: wait until the slow one is running, and take only the quick one.
        if ((await queue.getActiveCount()) === 0) return undefined;
        const jobs = (await queue.getJobs(['waiting', 'prioritized'])).filter((j) => (j.data as { task?: { stepId?: string } }).task?.stepId === 'quick');
        return jobs.length > 0 ? jobs : undefined;
      });
      for (const job of waiting) await job.remove();
      const result = await run;
      expect(result.status).toBe('succeeded');
      expect((result.outputs['quick'] as { worker: string }).worker).toBe('solo');
      const reroute = runner.exporter.getFinishedSpans().find((s) => s.name === SpanNames.DECISION_REROUTE);
      expect(reroute?.attributes['weft.decision.reason']).toBe('job lost from redis');
      expect(reroute?.attributes['weft.task.id']).toBe(`${result.runId}:quick`);
    } finally {
      await queue.close();
    }
  });

  it('removes a worker silent for deadWorkerMs from the registry and deletes its queue', async () => {
    const doomed = spawnWorker({ id: 'doomed', redisUrl: redis.url });
    await waitForWorkers(redis.url, ['doomed'], [doomed]);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    // A job nobody waits for any more, left on the dead worker's queue.
    const queue = new Queue('w.doomed', { connection: connection(), prefix: '{weft}' });
    await queue.add('t.where', { stray: true });
    await queue.close();
    expect(await client.keys('{weft}:w.doomed:*')).not.toHaveLength(0);
    await waitFor('the dead worker to be buried', async () => (await client.zscore('{weft}:workers', 'doomed')) === null, 15_000);
    await waitFor("its queue's keys to be gone", async () => (await client.keys('{weft}:w.doomed:*')).length === 0, 5_000);
    expect(await client.sismember('{weft}:queues', 'w.doomed')).toBe(0);
    // The live worker is untouched.
    expect(await client.zscore('{weft}:workers', 'solo')).not.toBeNull();
    expect(await client.sismember('{weft}:queues', 'w.solo')).toBe(1);
  });
});
