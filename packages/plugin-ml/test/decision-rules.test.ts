import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TaskDescriptor, WorkerView } from '@weft/engine';
import { seededRandom } from '@weft/engine/util';
import { familyFleet, simulate, strategyRouter, type SimulationConfig } from '@weft/plugin-balancer/simulator';
import { PowerOfTwoStrategy } from '@weft/plugin-balancer/strategies';
import { MlPredictor } from '@weft/plugin-ml';
import { predictorRouter, simClock } from '@weft/plugin-ml/eval';
import { firstEstimate, nextEstimate, relativeStandardError, type ServiceEstimate } from '@weft/plugin-ml/kernels';

function estimate(samples: readonly number[]): ServiceEstimate {
  let e = firstEstimate(samples[0]!);
  for (const x of samples.slice(1)) e = nextEstimate(e, x);
  return e;
}

/** Lognormal-ish noise with a 25% spread, seeded. */
function noisy(r: () => number, ms: number, n: number): number[] {
  return Array.from({ length: n }, () => ms * Math.exp(0.25 * (r() + r() + r() - 1.5) * 2));
}

describe('service-time estimate', () => {
  it('settles closer on noisy samples than an EWMA of weight 0.1 does', () => {
    const r = seededRandom(21);
    let errMean = 0;
    let errEwma = 0;
    for (let run = 0; run < 20; run++) {
      const xs = noisy(r, 10, 300);
      // The truth: the mean of many more samples from the same worker.
      const truth = noisy(r, 10, 20_000).reduce((a, b) => a + b, 0) / 20_000;
      let ewma = xs[0]!;
      for (const x of xs.slice(1)) ewma = 0.1 * x + 0.9 * ewma;
      errMean += Math.abs(estimate(xs).meanMs / truth - 1) / 20;
      errEwma += Math.abs(ewma / truth - 1) / 20;
    }
    expect(errMean).toBeLessThan(0.03);
    expect(errMean).toBeLessThan(0.75 * errEwma);
  });

  it('follows a slow-down and its end within a few dozen samples, and shrugs off one outlier', () => {
    const r = seededRandom(5);
    const steady = estimate(noisy(r, 10, 100));
    let e = nextEstimate(steady, 30);
    expect(e.meanMs).toBeLessThan(11);
    for (const x of noisy(r, 40, 20)) e = nextEstimate(e, x);
    expect(e.meanMs).toBeGreaterThan(30);
    for (const x of noisy(r, 10, 30)) e = nextEstimate(e, x);
    expect(e.meanMs).toBeLessThan(12);
  });

  it('reports a relative standard error that shrinks with samples', () => {
    const r = seededRandom(8);
    const xs = noisy(r, 10, 60);
    expect(relativeStandardError(estimate(xs.slice(0, 2)))).toBeGreaterThan(relativeStandardError(estimate(xs.slice(0, 10))));
    expect(relativeStandardError(estimate(xs.slice(0, 10)))).toBeGreaterThan(relativeStandardError(estimate(xs)));
    expect(relativeStandardError(estimate(xs))).toBeLessThan(0.06);
  });
});

const view = (id: string, inFlight: number, concurrency: number): WorkerView => ({
  id,
  capabilities: ['*'],
  concurrency,
  weight: 1,
  kind: 'cpu',
  stats: { inFlight, ewmaLatencyMs: 20, successRate: 1, completed: 100, failed: 0, recentErrors: [] },
});

const taskOf = (i: number, type: string, sizeBytes: number): TaskDescriptor => ({
  id: `q:${i}`,
  runId: 'q',
  stepId: 's',
  type,
  input: {},
  capabilities: [],
  tags: [],
  sizeBytes,
  attempt: 1,
  handlerVersion: '1',
  idempotencyKey: `q:${i}`,
});

/** `a` and `b` serve `work` three times as fast as `slow`; otherwise the workers are equal. */
const twoSpeeds: SimulationConfig = {
  seed: 5,
  arrivalsPerSec: 100,
  tasks: 900,
  noise: 0.2,
  workers: [
    { id: 'a', concurrency: 2, serviceMs: { work: 10 } },
    { id: 'b', concurrency: 2, serviceMs: { work: 10 } },
    { id: 'slow', concurrency: 2, serviceMs: { work: 30 } },
  ],
  mix: [{ type: 'work', weight: 1, sizeBytes: 4096, sizeSigma: 0.6 }],
};

describe('decision rules (properties)', () => {
  it("when cold, never decides: every decision is its fallback strategy's, so it cannot do worse", () => {
    const cold = new MlPredictor({ trainIntervalMs: 0 });
    fc.assert(
      fc.property(
        fc.array(fc.record({ inFlight: fc.nat(12), concurrency: fc.integer({ min: 1, max: 8 }) }), { minLength: 1, maxLength: 12 }),
        fc.nat(1_000_000),
        (workers, size) => {
          const p = cold.predict(
            taskOf(size, 'work', size),
            workers.map((w, i) => view(`w${i}`, w.inFlight, w.concurrency)),
          );
          expect(p.choice).toBeUndefined();
          expect(p.fallbackReason).toBe('cold');
        },
      ),
    );
    // In the simulator: the cold router routes every task exactly as its fallback alone.
    const fleet = familyFleet('mixed', 3, { tasks: 400 });
    const clock = simClock();
    const ml = simulate(fleet, predictorRouter(new MlPredictor({ trainIntervalMs: 0 }, { now: clock.now }), new PowerOfTwoStrategy(), 1, 'ml', clock));
    const p2c = simulate(fleet, strategyRouter(new PowerOfTwoStrategy(), 1));
    expect(ml.decisions.map((d) => d.chosen)).toEqual(p2c.decisions.map((d) => d.chosen));
    expect(ml.meanLatencyMs).toBe(p2c.meanLatencyMs);
  });

  it('warm, prefers the faster of two otherwise equal workers, and the one with less work ahead of two equally fast ones', async () => {
    const clock = simClock();
    const p = new MlPredictor({ minSamples: 100, trainEvery: 1e9, trainIntervalMs: 0, iterations: 40, explorationRate: 0 }, { now: clock.now });
    try {
      simulate(twoSpeeds, predictorRouter(p, new PowerOfTwoStrategy(), 1, 'ml', clock));
      await p.trainNow();
      let i = 0;
      fc.assert(
        fc.property(fc.nat(5), fc.integer({ min: 64, max: 64_000 }), fc.boolean(), (inFlight, size, slowFirst) => {
          const pair = [view('slow', inFlight, 2), view('a', inFlight, 2)];
          const choice = p.predict(taskOf(i++, 'work', size), slowFirst ? pair : pair.reverse()).choice;
          expect(choice).toBe('a');
        }),
      );
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 64, max: 64_000 }), (queued, size) => {
          // Both slots of `a` taken and `queued` tasks waiting; `b` idle: the wait decides.
          const choice = p.predict(taskOf(i++, 'work', size), [view('a', 2 + queued, 2), view('b', 0, 2)]).choice;
          expect(choice).toBe('b');
        }),
      );
    } finally {
      await p.close();
    }
  });
});
