import { describe, expect, it } from 'vitest';
import { PowerOfTwoStrategy, fleets, simulate, strategyRouter, type SimReport } from '@weft/plugin-balancer';
import { MemoryModelStore, MlPredictor, predictorRouter } from '@weft/plugin-ml';

const accuracy = (r: SimReport): number => r.decisions.filter((d) => d.chosenExpectedMs <= 1.1 * d.bestExpectedMs).length / r.decisions.length;

describe('in the fleet simulator', () => {
  it('a trained model routes a new run of the fleet faster and more accurately than its fallback', async () => {
    const base = fleets['mixed-speeds']!;
    const store = new MemoryModelStore();
    const teacher = new MlPredictor({ minSamples: 100, trainEvery: 1e9, trainIntervalMs: 0, iterations: 60, explorationRate: 0.05 }, { store });
    simulate({ ...base, tasks: 1500 }, predictorRouter(teacher, new PowerOfTwoStrategy(), 1));
    expect(await teacher.trainNow()).toBe(1);
    await teacher.close();

    // Another seed: other arrivals and service times than the ones it learned from.
    const run = { ...base, seed: 8, tasks: 1500 };
    const fallback = simulate(run, strategyRouter(new PowerOfTwoStrategy(), 1));
    const student = new MlPredictor({ trainIntervalMs: 0 }, { store });
    await student.start();
    const router = predictorRouter(student, new PowerOfTwoStrategy(), 1);
    const ml = simulate(run, router);
    await student.close();

    expect(router.counts.predicted).toBeGreaterThan(1200);
    expect(ml.meanLatencyMs).toBeLessThan(fallback.meanLatencyMs * 0.8);
    expect(accuracy(ml)).toBeGreaterThan(accuracy(fallback) + 0.2);
  });
});
