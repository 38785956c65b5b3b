import { describe, expect, it } from 'vitest';
import {
  FLEET_FAMILIES,
  familyFleet,
  oracleRouter,
  simulate,
  simulationConfigSchema,
  strategyRouter,
  type SimRouter,
  type SimulationConfig,
} from '@weft/plugin-balancer/simulator';
import { LeastInFlightStrategy } from '@weft/plugin-balancer/strategies';

describe('fleet families', () => {
  it('builds a valid fleet per family and seed, the same for the same seed and another for another seed', () => {
    for (const family of FLEET_FAMILIES) {
      const a = familyFleet(family, 7, { tasks: 300 });
      expect(simulationConfigSchema.safeParse(a).success).toBe(true);
      expect(familyFleet(family, 7, { tasks: 300 })).toEqual(a);
      expect(familyFleet(family, 8, { tasks: 300 })).not.toEqual(a);
      // Task types carry the seed: a model trained on one seed has never seen another's types.
      expect(a.mix.every((k) => k.type.includes('7'))).toBe(true);
    }
  });

  it('makes the fleets the issue names: a fifth-failing worker and slow-downs, a capability a minority holds under bursts', () => {
    const mixed = familyFleet('mixed', 3);
    expect(mixed.workers.filter((w) => (w.failureRate ?? 0) >= 0.17)).toHaveLength(1);
    expect(mixed.workers.some((w) => (w.slowdowns ?? []).length > 0)).toBe(true);
    const bursty = familyFleet('bursty', 3);
    expect(bursty.burst).toBeDefined();
    const gated = bursty.mix.filter((k) => (k.capabilities ?? []).length > 0);
    expect(gated).toHaveLength(1);
    const share = gated[0]!.weight / bursty.mix.reduce((a, k) => a + k.weight, 0);
    expect(share).toBeCloseTo(1 / 3, 5);
    expect(bursty.workers.filter((w) => w.capabilities?.includes('*')).length).toBeLessThan(bursty.workers.length / 2);
  });

  it('scores decisions by expected completion, wait included: the oracle is always within it, least-in-flight not always', () => {
    const fleet = familyFleet('mixed', 5, { tasks: 1500 });
    const oracle = simulate(fleet, oracleRouter());
    expect(oracle.decisions.every((d) => d.chosenCompletionMs === d.bestCompletionMs)).toBe(true);
    const lif = simulate(fleet, strategyRouter(new LeastInFlightStrategy(), 1));
    expect(lif.decisions.some((d) => d.chosenCompletionMs > 1.1 * d.bestCompletionMs)).toBe(true);
    for (const d of lif.decisions) expect(d.chosenCompletionMs).toBeGreaterThanOrEqual(d.chosenExpectedMs);
  });

  it("scales a task's service time with its size", () => {
    const fleet: SimulationConfig = {
      seed: 1,
      arrivalsPerSec: 50,
      tasks: 200,
      workers: [{ id: 'w', concurrency: 2, serviceMs: { t: 20 } }],
      mix: [{ type: 't', weight: 1, sizeBytes: 1000, sizeSigma: 0.8 }],
    };
    const perByte: number[] = [];
    const sizes = new Set<number>();
    const probe: SimRouter = {
      name: 'probe',
      route(task, candidates, oracle) {
        perByte.push(oracle.expectedServiceMs('w') / task.sizeBytes);
        sizes.add(task.sizeBytes);
        return candidates[0]!.id;
      },
    };
    simulate(fleet, probe);
    expect(sizes.size).toBeGreaterThan(150);
    for (const x of perByte) expect(x).toBeCloseTo(20 / 1000, 3);
  });

  it('queues more under ON/OFF arrivals than under steady ones at the same average rate', () => {
    const steady: SimulationConfig = {
      seed: 2,
      arrivalsPerSec: 100,
      tasks: 600,
      workers: [{ id: 'a', concurrency: 2, serviceMs: { t: 15 } }],
      mix: [{ type: 't', weight: 1 }],
    };
    const bursty: SimulationConfig = { ...steady, burst: { onMs: 200, offMs: 600 } };
    const lif = (): SimRouter => strategyRouter(new LeastInFlightStrategy(), 1);
    expect(simulate(bursty, lif()).meanLatencyMs).toBeGreaterThan(3 * simulate(steady, lif()).meanLatencyMs);
  });
});
