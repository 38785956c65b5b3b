/**
 * The fleet's rate limiter against a real Redis, on Redis' own clock (no tolerance): however tasks
 * come — paced by a runner's reservations or not, early, late, through several workers at once —
 * no window of perMs holds more than max starts, and every task starts (it waits, never fails).
 * And a reservation is only placed where a real start opens a place.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, FleetKeys, type RedisClient } from '@weft/engine/fleet';
import { RedisLimiter } from '../../src/fleet/redis-limiter.js';
import { silentLogger } from '../../src/logging/logger.js';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { mostStartsWithin } from './limit-checks.js';

let redis: PrivateRedis;
const clients: RedisClient[] = [];
const keys = new FleetKeys('{ratetest}');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

beforeAll(async () => {
  redis = await startRedis();
  for (let i = 0; i < 4; i++) clients.push(createRedisClient(redis.url));
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis?.stop();
});

describe('fleet rate limiter (real Redis)', () => {
  it('never starts more than max in any perMs, whatever the arrivals, and starts every task (seeded schedules)', async () => {
    const runner = new RedisLimiter(clients[3]!, keys, silentLogger());
    const workers = clients.slice(0, 3).map((c) => new RedisLimiter(c, keys, silentLogger()));
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          max: fc.integer({ min: 1, max: 4 }),
          perMs: fc.integer({ min: 20, max: 60 }),
          tasks: fc.array(fc.record({ paced: fc.boolean(), worker: fc.nat(2), afterMs: fc.nat(30), skewMs: fc.integer({ min: -15, max: 30 }) }), {
            minLength: 3,
            maxLength: 10,
          }),
        }),
        async ({ max, perMs, tasks }) => {
          const limit = { key: `k${round++}`, rate: { max, perMs } };
          const starts: number[] = [];
          const due = new Map<string, (waitMs: number) => void>();
          const paced = tasks.flatMap((t, i) => (t.paced ? [`t${i}`] : []));
          const reservedAll = paced.map((id) => new Promise<number>((resolve) => due.set(id, resolve)));
          // The runner's side: reserves in order as far as places are known, and asks again when told.
          const reserving = (async () => {
            const left = [...paced];
            while (left.length > 0) {
              const r = await runner.reserve(limit, left, 0);
              r.waitMs.forEach((ms, i) => due.get(left[i]!)!(ms));
              left.splice(0, r.waitMs.length);
              if (left.length > 0) await sleep(Math.max(1, Math.floor(perMs / 4)));
            }
          })();
          await Promise.all([
            reserving,
            ...tasks.map(async (t, i) => {
              const id = `t${i}`;
              // A paced task comes when its reservation is due, early or late by its skew; another at any time.
              await sleep(t.paced ? (await reservedAll[paced.indexOf(id)]!) + t.skewMs : t.afterMs);
              for (;;) {
                const a = await workers[t.worker]!.tryAcquire(limit, id, id);
                if (a.ok) return void starts.push(a.startedAt!);
                expect(a.reason).toBe('rate');
                await sleep(a.waitMs);
              }
            }),
          ]);
          expect(starts).toHaveLength(tasks.length);
          expect(mostStartsWithin(starts, perMs)).toBeLessThanOrEqual(max);
        },
      ),
      { seed: 20261203, numRuns: 12 },
    );
  });

  it('reserves only where a real start opens a place: a full first window waits for its starts', async () => {
    const runner = new RedisLimiter(clients[3]!, keys, silentLogger());
    const worker = new RedisLimiter(clients[0]!, keys, silentLogger());
    const limit = { key: 'anchor', rate: { max: 3, perMs: 5000 } };
    const ids = ['a', 'b', 'c', 'd', 'e'];
    // The first window's places are free: three reserved at once; the fourth's place opens perMs after a start not made yet.
    const first = await runner.reserve(limit, ids, 0);
    expect(first.waitMs).toEqual([0, 0, 0]);
    expect(await runner.reserve(limit, ['d', 'e'], 0)).toMatchObject({ waitMs: [] });
    const started = await worker.tryAcquire(limit, 'a', 'a');
    expect(started.ok).toBe(true);
    // One start: one place known, perMs after it (the reserved two start later, so the start made is the first to leave).
    const next = await runner.reserve(limit, ['d', 'e'], 0);
    expect(next.waitMs).toHaveLength(1);
    expect(next.waitMs[0]).toBeGreaterThan(4000);
    expect(next.waitMs[0]).toBeLessThanOrEqual(5000);
    // Started, the three fill the window: a task without a reservation waits for the first to leave it.
    for (const id of ['b', 'c']) expect((await worker.tryAcquire(limit, id, id)).ok).toBe(true);
    const over = await worker.tryAcquire(limit, 'x', 'x');
    expect(over).toMatchObject({ ok: false, reason: 'rate' });
    expect(over.ok || over.waitMs).toBeGreaterThan(4000);
  });

  it('spreads the window after a burst at the rate, and a late start delays only the reservation anchored on it', async () => {
    const runner = new RedisLimiter(clients[3]!, keys, silentLogger());
    const worker = new RedisLimiter(clients[0]!, keys, silentLogger());
    // Two a window of 1 s: the pace is one start every 500 ms.
    const limit = { key: 'pace', rate: { max: 2, perMs: 1000 } };
    const redisNow = async (): Promise<number> => {
      const [s, us] = await clients[3]!.time();
      return Number(s) * 1000 + Math.floor(Number(us) / 1000);
    };
    /**
     * Reserves one task; returns its reserved start on Redis' clock as read before (`lo`) and
     * after (`hi`) the call: the script reads the clock between the two, so the start lies in
     * [lo, hi]. A lower bound is checked on `hi`, an upper one on `lo`, so a slow round trip
     * cannot fail a correct limiter.
     */
    const reserveAt = async (id: string): Promise<{ lo: number; hi: number }> => {
      const before = await redisNow();
      const r = await runner.reserve(limit, [id], 0);
      const after = await redisNow();
      expect(r.waitMs).toHaveLength(1);
      return { lo: before + r.waitMs[0]!, hi: after + r.waitMs[0]! + 1 };
    };
    /** Starts a task no earlier than `at` (Redis' clock), waiting as the limiter says. */
    const startAt = async (id: string, at: number): Promise<number> => {
      await sleep(at - (await redisNow()));
      for (;;) {
        const a = await worker.tryAcquire(limit, id, id);
        if (a.ok) return a.startedAt!;
        await sleep(a.waitMs);
      }
    };
    // A burst: three started at once in a window of three (pace: one every 200 ms). The next
    // window's three are reserved about 200 ms apart, not all when the burst's places open.
    const burst = { key: 'burst', rate: { max: 3, perMs: 600 } };
    expect((await runner.reserve(burst, ['x1', 'x2', 'x3'], 0)).waitMs).toEqual([0, 0, 0]);
    for (const id of ['x1', 'x2', 'x3']) expect((await worker.tryAcquire(burst, id, id)).ok).toBe(true);
    const next = (await runner.reserve(burst, ['x4', 'x5', 'x6'], 0)).waitMs;
    expect(next).toHaveLength(3);
    expect(next[0]).toBeGreaterThan(400);
    // x4's place opens 600 ms after x1 started, a few ms after the pace began: its own place
    // decides it; x5 and x6 come on the pace, 200 ms apart.
    expect(next[1]! - next[0]!).toBeGreaterThanOrEqual(150);
    expect(next[2]! - next[1]!).toBeGreaterThanOrEqual(199);

    expect((await runner.reserve(limit, ['a', 'b'], 0)).waitMs).toEqual([0, 0]);
    // a starts at once; b comes 700 ms late.
    const a = await startAt('a', 0);
    const b = await startAt('b', a + 700);
    // c's place opens 1 s after a; d's 1 s after b, later than its pace.
    const c = await reserveAt('c');
    expect(c.hi).toBeGreaterThanOrEqual(a + 1000);
    expect(c.lo).toBeLessThan(a + 1100);
    const d = await reserveAt('d');
    expect(d.hi).toBeGreaterThanOrEqual(b + 1000);
    const cStart = await startAt('c', c.hi);
    const dStart = await startAt('d', d.hi);
    // e is anchored on c: its place opens 1 s after c started, and d's late start does not push
    // it later (a schedule spaced from the latest reservation would put it 500 ms after d).
    const e = await reserveAt('e');
    expect(e.hi).toBeGreaterThanOrEqual(cStart + 1000);
    expect(e.lo).toBeLessThan(dStart + 500 - 100);
  });
});
