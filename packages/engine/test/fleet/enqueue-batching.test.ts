/** The runner's enqueues: the first of a turn at once, the rest of the turn as one addBulk per queue. */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnqueueBatcher } from '../../src/fleet/enqueue-batcher.js';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';

let redis: PrivateRedis;
let a: Queue;
let b: Queue;

beforeAll(async () => {
  redis = await startRedis();
  const connection = { host: '127.0.0.1', port: redis.port };
  a = new Queue('a', { connection, prefix: '{t}' });
  b = new Queue('b', { connection, prefix: '{t}' });
  await Promise.all([a.waitUntilReady(), b.waitUntilReady()]);
});

afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  await redis.stop();
});

describe('EnqueueBatcher', () => {
  it('enqueues every add of a turn, on its own queue, each job with its own id and data', async () => {
    const batcher = new EnqueueBatcher();
    const adds = [
      batcher.add(a, 't', { n: 0 }, { jobId: 'a0' }),
      ...[1, 2, 3, 4].map((n) => batcher.add(a, 't', { n }, { jobId: `a${n}` })),
      ...[5, 6].map((n) => batcher.add(b, 't', { n }, { jobId: `b${n}` })),
    ];
    await Promise.all(adds);
    for (const [q, id, n] of [
      [a, 'a0', 0],
      [a, 'a3', 3],
      [b, 'b6', 6],
    ] as const)
      expect((await q.getJob(id))?.data).toEqual({ n });
    expect(await a.getWaitingCount()).toBe(5);
    expect(await b.getWaitingCount()).toBe(2);
  });

  it('fails every add of a batch that BullMQ refuses, writes none of it, and starts the next turn afresh', async () => {
    const batcher = new EnqueueBatcher();
    const first = batcher.add(a, 't', {}, { jobId: 'ok-first' });
    const batched = batcher.add(a, 't', {}, { jobId: 'ok-batched' });
    // BullMQ refuses a float priority before anything is written.
    const bad = batcher.add(a, 't', {}, { jobId: 'bad', priority: 1.5 });
    const [f, x, y] = await Promise.allSettled([first, batched, bad]);
    expect(f.status).toBe('fulfilled');
    for (const r of [x, y]) expect(r.status === 'rejected' && String(r.reason)).toMatch(/Priority/);
    expect(await a.getJob('ok-batched')).toBeUndefined();
    await batcher.add(a, 't', {}, { jobId: 'later' });
    expect(await a.getJob('later')).toBeDefined();
  });
});
