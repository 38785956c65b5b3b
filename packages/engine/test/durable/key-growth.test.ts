/**
 * Bounded keys: 200 runs × 50 tasks on a fleet with a short retention leave Redis at its baseline
 * key count plus a constant; per-task records go when each run ends, and trimming the run index
 * deletes the records it drops.
 */
import { describe, expect, it } from 'vitest';
import { createRedisClient, FleetKeys } from '@weft/engine/fleet';
import { inProcessFleet, waitFor } from '../fleet/fleet-harness.js';

const fleet = inProcessFleet();
const pipeline = {
  name: 'keys',
  maxParallel: 16,
  steps: [{ id: 'each', task: 't.add', forEach: { $ref: 'input.items' }, input: { a: { $ref: 'item' }, b: 1 } }],
};
const items = Array.from({ length: 50 }, (_, i) => i);

describe('bounded keys', () => {
  it('returns to baseline after 200 runs of 50 tasks, and keeps at most keepRuns records meanwhile', async () => {
    await fleet.startWorker({ id: 'k1' });
    await fleet.startWorker({ id: 'k2' });
    const keepCompleted = 5;
    const { engine } = await fleet.runner({ keepCompleted, keepRuns: 20, runTtlMs: 1500, keepDecisions: 10 });
    const redis = createRedisClient(fleet.redis.url);
    const keys = new FleetKeys();
    try {
      // Baseline: the fleet with every queue used once, after that run's retention.
      await engine.run(pipeline, { items });
      await waitFor('the warm-up run to expire', async () => (await redis.keys(`${keys.prefix}:run:*`)).length === 0, 10_000, 100);
      const baseline = await redis.dbsize();

      for (let batch = 0; batch < 20; batch++) await Promise.all(Array.from({ length: 10 }, () => engine.run(pipeline, { items })));
      // Per-task records are gone as each run ends; the index keeps 20 runs and their records.
      expect(await redis.keys(`${keys.prefix}:run:*:results`)).toEqual([]);
      expect((await redis.keys(`${keys.prefix}:run:*`)).length).toBeLessThanOrEqual(20);
      expect(await redis.zcard(keys.runs)).toBe(20);
      expect(await redis.zcard(keys.active)).toBe(0);

      // After the retention period: the baseline again, plus what the queues keep (a constant).
      const settled = await waitFor(
        'run records to expire',
        async () => ((await redis.keys(`${keys.prefix}:run:*`)).length === 0 ? redis.dbsize() : undefined),
        10_000,
        100,
      );
      expect(settled).toBeLessThanOrEqual(baseline + 2 * keepCompleted);
    } finally {
      redis.disconnect();
    }
  }, 120_000);
});
