import { describe, expect, it } from 'vitest';
import { ConsistentHashStrategy } from '@weft/plugin-balancer/strategies';
import { task } from './fixtures.js';
import { selectCtx, worker, workers } from './helpers.js';

const KEYS = Array.from({ length: 10_000 }, (_, i) => `file-${i}.ts`);

function placement(strategy: ConsistentHashStrategy, fleet: ReturnType<typeof workers>): Map<string, string> {
  const ctx = selectCtx();
  return new Map(KEYS.map((k, i) => [k, strategy.select(task(i, { key: k }), fleet, ctx).workerId]));
}

describe('consistent hashing with bounded loads', () => {
  it('sends a key to the same worker every time while it is healthy and not overloaded', () => {
    const ch = new ConsistentHashStrategy();
    const fleet = workers(8);
    const ctx = selectCtx();
    const first = ch.select(task(1, { key: 'repo/a.py' }), fleet, ctx).workerId;
    for (let i = 0; i < 50; i++) expect(ch.select(task(i, { key: 'repo/a.py' }), fleet, ctx).workerId).toBe(first);
  });

  it('moves at most 1/n + 5% of keys when a worker joins, and only to the new worker', () => {
    const ch = new ConsistentHashStrategy();
    const fleet = workers(10);
    const before = placement(ch, fleet);
    const after = placement(ch, [...fleet, worker('w10')]);
    const moved = KEYS.filter((k) => before.get(k) !== after.get(k));
    expect(moved.length / KEYS.length).toBeLessThanOrEqual(1 / 11 + 0.05);
    expect(moved.length).toBeGreaterThan(0);
    expect(new Set(moved.map((k) => after.get(k)))).toEqual(new Set(['w10']));
  });

  it('keeps the other workers’ keys in place when a worker leaves routing, and gives them back when it returns', () => {
    const ch = new ConsistentHashStrategy();
    const fleet = workers(10);
    const before = placement(ch, fleet);
    const without = placement(
      ch,
      fleet.filter((w) => w.id !== 'w3'),
    );
    for (const k of KEYS) if (before.get(k) !== 'w3') expect(without.get(k)).toBe(before.get(k));
    expect(placement(ch, fleet)).toEqual(before);
  });

  it('never lets a worker exceed the load bound, even when every task has the same hot key', () => {
    const loadFactor = 1.25;
    const ch = new ConsistentHashStrategy({ loadFactor });
    const fleet = workers(6, { concurrency: 4 });
    const ctx = selectCtx();
    const placed = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const hot = i % 10 < 8 ? 'hot-key' : `cold-${i}`;
      const { workerId } = ch.select(task(i, { key: hot }), fleet, ctx);
      const w = fleet.find((x) => x.id === workerId)!;
      // Bound of the paper: ceil(c × (tasks in flight + 1) / n) for equal workers.
      const total = fleet.reduce((a, x) => a + x.stats.inFlight, 0);
      expect(w.stats.inFlight + 1).toBeLessThanOrEqual(Math.ceil((loadFactor * (total + 1)) / fleet.length));
      w.stats.inFlight++;
      placed.set(workerId, (placed.get(workerId) ?? 0) + 1);
    }
    const max = Math.max(...fleet.map((w) => w.stats.inFlight));
    expect(max).toBeLessThanOrEqual(Math.ceil((loadFactor * 600) / 6));
    expect(placed.size).toBe(6);
  });

  it('falls back to the task id when a task has no key', () => {
    const ch = new ConsistentHashStrategy();
    const fleet = workers(5);
    const ctx = selectCtx();
    const chosen = new Set(Array.from({ length: 200 }, (_, i) => ch.select(task(i), fleet, ctx).workerId));
    expect(chosen.size).toBe(5);
  });
});
