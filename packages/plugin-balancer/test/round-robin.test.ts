import { describe, expect, it } from 'vitest';
import { RoundRobinStrategy, WeightedRoundRobinStrategy } from '@weft/plugin-balancer/strategies';
import { task } from './fixtures.js';
import { selectCtx, worker, workers } from './helpers.js';

function counts(ids: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of ids) out[id] = (out[id] ?? 0) + 1;
  return out;
}

describe('round-robin', () => {
  it('gives each of N workers exactly one task in every N consecutive tasks', () => {
    const rr = new RoundRobinStrategy();
    const fleet = workers(7);
    const ctx = selectCtx();
    const picks = Array.from({ length: 7 * 100 }, (_, i) => rr.select(task(i), fleet, ctx).workerId);
    for (let start = 0; start < picks.length; start += 7) expect(new Set(picks.slice(start, start + 7)).size).toBe(7);
    expect(Object.values(counts(picks))).toEqual(Array(7).fill(100));
  });
});

describe('smooth weighted round-robin', () => {
  const fleet = [worker('a', { weight: 5 }), worker('b', { weight: 3 }), worker('c', { weight: 1 }), worker('d', { weight: 1 })];

  it('gives each worker its weight share within 1%', () => {
    const wrr = new WeightedRoundRobinStrategy();
    const ctx = selectCtx();
    const n = 10_000;
    const c = counts(Array.from({ length: n }, (_, i) => wrr.select(task(i), fleet, ctx).workerId));
    const expected = { a: 0.5, b: 0.3, c: 0.1, d: 0.1 };
    for (const [id, share] of Object.entries(expected)) expect(Math.abs(c[id]! / n - share)).toBeLessThanOrEqual(0.01);
  });

  it('spreads picks smoothly: every window of total-weight picks has the exact shares, and the heavy worker never runs 4 in a row', () => {
    const wrr = new WeightedRoundRobinStrategy();
    const ctx = selectCtx();
    const picks = Array.from({ length: 100 }, (_, i) => wrr.select(task(i), fleet, ctx).workerId);
    for (let s = 0; s < 100; s += 10) expect(counts(picks.slice(s, s + 10))).toEqual({ a: 5, b: 3, c: 1, d: 1 });
    expect(picks.join(',')).not.toContain('a,a,a,a');
  });

  it('lets configured weights override the workers’ own', () => {
    const wrr = new WeightedRoundRobinStrategy({ weights: { a: 1, b: 1, c: 1, d: 1 } });
    const ctx = selectCtx();
    const c = counts(Array.from({ length: 400 }, (_, i) => wrr.select(task(i), fleet, ctx).workerId));
    expect(c).toEqual({ a: 100, b: 100, c: 100, d: 100 });
  });
});
