import { describe, expect, it } from 'vitest';
import type { BalancingStrategy } from '@weft/engine';
import { isBalancerError } from '@weft/plugin-balancer';
import { fleets, oracleRouter, simulate, strategyRouter, withCircuitBreaker, type SimulationConfig } from '@weft/plugin-balancer/simulator';
import { RoundRobinStrategy } from '@weft/plugin-balancer/strategies';

const roundRobin = (): BalancingStrategy => {
  let i = 0;
  return { name: 'rr', select: (_t, c) => ({ workerId: c[i++ % c.length]!.id }) };
};

const small: SimulationConfig = { ...fleets['mixed-speeds']!, tasks: 800 };

describe('fleet simulator', () => {
  it('gives the same report for the same seed and a different one for another seed', () => {
    const a = simulate(small, oracleRouter());
    const b = simulate(small, oracleRouter());
    expect(b).toEqual(a);
    const c = simulate({ ...small, seed: small.seed + 1 }, oracleRouter());
    expect(c.meanLatencyMs).not.toEqual(a.meanLatencyMs);
  });

  it('reports every task once with ordered percentiles and a utilisation in (0, 1]', () => {
    const r = simulate(small, strategyRouter(roundRobin(), 1));
    expect(r.tasks).toBe(800);
    expect(r.decisions).toHaveLength(800);
    expect(Object.values(r.perWorker).reduce((a, b) => a + b, 0)).toBe(800);
    expect(r.p50LatencyMs).toBeLessThanOrEqual(r.p99LatencyMs);
    expect(r.utilisation).toBeGreaterThan(0);
    expect(r.utilisation).toBeLessThanOrEqual(1);
  });

  it('lets the oracle beat blind round-robin on a heterogeneous fleet', () => {
    const rr = simulate(small, strategyRouter(roundRobin(), 1));
    const oracle = simulate(small, oracleRouter());
    expect(oracle.meanLatencyMs).toBeLessThan(rr.meanLatencyMs);
    expect(oracle.decisions.filter((d) => d.chosen === d.best).length).toBeGreaterThan(rr.decisions.filter((d) => d.chosen === d.best).length);
  });

  it('only offers capable workers and counts failures on flaky ones', () => {
    const seen = new Set<string>();
    const r = simulate(
      { ...fleets['flaky-and-slowdowns']!, tasks: 1000 },
      {
        name: 'spy',
        route(task, candidates) {
          if (task.type === 'ml.embed') for (const c of candidates) seen.add(c.id);
          return candidates[0]!.id;
        },
      },
    );
    expect([...seen].sort()).toEqual(['g-1', 'g-2']);
    expect(r.failures).toBeGreaterThan(0);
  });

  it('refuses a router that answers outside the candidates, and a config with a bad field', () => {
    expect(() => simulate(small, { name: 'rogue', route: () => 'nobody' })).toThrowError(/rogue.*nobody/);
    try {
      simulate({ ...small, workers: [{ id: 'w', concurrency: 0, serviceMs: { default: 1 } }] }, oracleRouter());
      expect.unreachable();
    } catch (err) {
      expect(isBalancerError(err, 'WEFT_BALANCER_SIM_CONFIG_INVALID')).toBe(true);
      expect((err as Error).message).toContain('simulation.workers[0].concurrency');
    }
  });

  it('puts a real circuit breaker on simulated time in front of a strategy, sparing the flaky worker', () => {
    const fleet = fleets['flaky-and-slowdowns']!;
    const plain = simulate(fleet, strategyRouter(new RoundRobinStrategy(), 1));
    const guarded = withCircuitBreaker(strategyRouter(new RoundRobinStrategy(), 1), { failureThreshold: 3, windowMs: 1_000, cooldownMs: 500 });
    const protectedRun = simulate(fleet, guarded);
    expect(protectedRun.router).toBe('round-robin+breaker');
    expect(protectedRun.perWorker['a-3']).toBeLessThan(plain.perWorker['a-3']! / 2);
    expect(protectedRun.failures).toBeLessThan(plain.failures);
    // The same seed replays the breaker's decisions too.
    expect(simulate(fleet, withCircuitBreaker(strategyRouter(new RoundRobinStrategy(), 1), { failureThreshold: 3, windowMs: 1_000, cooldownMs: 500 }))).toEqual(
      protectedRun,
    );
  });
});
