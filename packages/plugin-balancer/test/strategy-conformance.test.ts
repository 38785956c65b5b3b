/** One suite every strategy runs: a candidate's id, never one outside the list, replayable from the seed. */
import { describe, expect, it } from 'vitest';
import type { BalancingStrategy } from '@weft/engine';
import { isBalancerError } from '@weft/plugin-balancer';
import { builtinStrategies, LeastInFlightStrategy, RoundRobinStrategy, TaskTypeRouter } from '@weft/plugin-balancer/strategies';
import { task } from './fixtures.js';
import { selectCtx, workers, type TestWorker } from './helpers.js';

const factories: [string, () => BalancingStrategy][] = [
  ...Object.entries(builtinStrategies).map(([name, cls]) => [name, () => new cls()] as [string, () => BalancingStrategy]),
  ['by-task-type', () => new TaskTypeRouter(new Map([['work', new RoundRobinStrategy()]]), new LeastInFlightStrategy())],
];

/** Runs 300 decisions over a fleet whose stats and membership change, as in production. */
function drive(strategy: BalancingStrategy, seed: number): string[] {
  const fleet = workers(12, { concurrency: 3 });
  fleet.forEach((w, i) => {
    w.stats.ewmaLatencyMs = 10 + i * 7;
    w.stats.completed = i % 4 === 0 ? 0 : 5;
    w.stats.successRate = i === 3 ? 0.4 : 1;
  });
  const ctx = selectCtx(seed);
  const chosen: string[] = [];
  for (let i = 0; i < 300; i++) {
    // Membership changes: a rotating subset, as guards and heartbeats would leave it.
    const candidates = fleet.filter((_, j) => (j + i) % 5 !== 0);
    const t = task(i, { key: `k${i % 17}`, type: i % 3 === 0 ? 'work' : 'other' });
    const { workerId } = strategy.select(t, candidates, ctx);
    expect(candidates.map((c) => c.id)).toContain(workerId);
    chosen.push(workerId);
    const w = fleet.find((x) => x.id === workerId) as TestWorker;
    w.stats.inFlight++;
    if (i % 4 === 3) for (const x of fleet) x.stats.inFlight = Math.max(0, x.stats.inFlight - 1);
  }
  return chosen;
}

describe.each(factories)('strategy conformance: %s', (name, make) => {
  it('returns one of the candidates every time, under changing load and membership', () => {
    expect(drive(make(), 3)).toHaveLength(300);
  });

  it('makes the same choices given the same seed', () => {
    expect(drive(make(), 99)).toEqual(drive(make(), 99));
  });

  it('answers with the only candidate when there is one', () => {
    const [only] = workers(1);
    expect(make().select(task(1, { key: 'k' }), [only!], selectCtx()).workerId).toBe('w0');
  });

  it('refuses an empty candidate list with a coded error', () => {
    let caught: unknown;
    try {
      make().select(task(1), [], selectCtx());
    } catch (err) {
      caught = err;
    }
    expect(isBalancerError(caught, 'WEFT_BALANCER_NO_CANDIDATES')).toBe(true);
  });

  it(`has a stable name (${name})`, () => {
    expect(make().name).toBe(name);
  });
});
