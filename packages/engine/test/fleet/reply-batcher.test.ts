/** A worker's replies and task records: one script call per turn, records first-wins, lists in order. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logging/logger.js';
import { ReplyBatcher } from '../../src/fleet/reply-batcher.js';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';

let redis: PrivateRedis;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});

afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

describe('ReplyBatcher', () => {
  it('writes a turn of replies for two runs and two runners: every record once (the first wins), every reply in order, with their TTLs', async () => {
    // The worker hands it BullMQ's connection; here a plain client on the same server.
    const batcher = new ReplyBatcher({ runCommand: (name, args) => client.call(name, ...args) }, { replyTtlS: 60, doneTtlMs: 90_000, logger: silentLogger() });
    await client.hset('{t}:results:r1', 'k0', 'kept');
    const sends = [
      ...Array.from({ length: 5 }, (_, i) => batcher.send('{t}:replies:A', `a${i}`, ['{t}:results:r1', `k${i}`, `v${i}`])),
      ...Array.from({ length: 3 }, (_, i) => batcher.send('{t}:replies:B', `b${i}`, ['{t}:results:r2', `k${i}`, `w${i}`])),
      batcher.send('{t}:replies:A', 'failure reply, no record'),
    ];
    await Promise.all(sends);
    // Sent in order on one connection: a command after them sees them all.
    expect(await client.hgetall('{t}:results:r1')).toEqual({ k0: 'kept', k1: 'v1', k2: 'v2', k3: 'v3', k4: 'v4' });
    expect(await client.hgetall('{t}:results:r2')).toEqual({ k0: 'w0', k1: 'w1', k2: 'w2' });
    // LPUSH: the newest at the head, so the list read right to left is the order sent.
    expect((await client.lrange('{t}:replies:A', 0, -1)).reverse()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'failure reply, no record']);
    expect((await client.lrange('{t}:replies:B', 0, -1)).reverse()).toEqual(['b0', 'b1', 'b2']);
    for (const key of ['{t}:results:r1', '{t}:results:r2']) expect(await client.pttl(key)).toBeGreaterThan(80_000);
    expect(await client.ttl('{t}:replies:A')).toBeGreaterThan(50);
  });

  it('writes a burst larger than one LPUSH slice whole and in order', async () => {
    const batcher = new ReplyBatcher({ runCommand: (name, args) => client.call(name, ...args) }, { replyTtlS: 60, doneTtlMs: 90_000, logger: silentLogger() });
    const n = 1203;
    await Promise.all(Array.from({ length: n }, (_, i) => batcher.send('{t}:replies:C', `c${i}`, ['{t}:results:r3', `k${i}`, String(i)])));
    const list = (await client.lrange('{t}:replies:C', 0, -1)).reverse();
    expect(list).toEqual(Array.from({ length: n }, (_, i) => `c${i}`));
    expect(await client.hlen('{t}:results:r3')).toBe(n);
  });
});
