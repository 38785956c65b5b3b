import { describe, expect, it } from 'vitest';
import { familyFleet, simulate, strategyRouter, type SimReport } from '@weft/plugin-balancer/simulator';
import { LeastInFlightStrategy, PowerOfTwoStrategy } from '@weft/plugin-balancer/strategies';
import { MemoryModelStore, MlPredictor } from '@weft/plugin-ml';
import { predictorRouter, simClock } from '@weft/plugin-ml/eval';

/** Queue-aware: the chosen worker's true expected completion (wait included) within 10% of the best candidate's. */
const accuracy = (r: SimReport): number => r.decisions.filter((d) => d.chosenCompletionMs <= 1.1 * d.bestCompletionMs).length / r.decisions.length;

describe('in the fleet simulator', () => {
  it('a model pretrained on other fleets routes a new fleet faster and more accurately than least-in-flight', async () => {
    const store = new MemoryModelStore();
    const clock = simClock();
    const teacher = new MlPredictor({ minSamples: 100, trainEvery: 1e9, trainIntervalMs: 0, iterations: 60, explorationRate: 0.05 }, { store, now: clock.now });
    simulate(familyFleet('specialists', 11, { tasks: 1500, typePrefix: 'train' }), predictorRouter(teacher, new PowerOfTwoStrategy(), 1, 'teacher', clock));
    expect(await teacher.trainNow()).toBe(1);
    await teacher.close();

    // Another fleet of the family, with task types the model never saw.
    const run = familyFleet('specialists', 12, { tasks: 1500 });
    const lif = simulate(run, strategyRouter(new LeastInFlightStrategy(), 1));
    const studentClock = simClock();
    const student = new MlPredictor({ trainIntervalMs: 0 }, { store, now: studentClock.now });
    await student.start();
    const router = predictorRouter(student, new PowerOfTwoStrategy(), 1, 'ml', studentClock);
    const ml = simulate(run, router);
    await student.close();

    expect(router.counts.predicted).toBeGreaterThan(1300);
    expect(ml.meanLatencyMs).toBeLessThan(lif.meanLatencyMs * 0.5);
    expect(accuracy(ml)).toBeGreaterThan(accuracy(lif) + 0.3);
  });
});
