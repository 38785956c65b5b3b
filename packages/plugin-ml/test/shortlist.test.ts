import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskDescriptor, WorkerView } from '@weft/engine';
import type { Prediction } from '@weft/engine/contracts';
import { familyFleet, simulate, type SimulationConfig } from '@weft/plugin-balancer/simulator';
import { PowerOfTwoStrategy } from '@weft/plugin-balancer/strategies';
import { MemoryModelStore, MlPredictor, type ModelStore } from '@weft/plugin-ml';
import { predictorRouter, simClock, type LearningPredictor } from '@weft/plugin-ml/eval';
import { residualAtLeast, residualFloorShare, residualMs } from '../src/features/residual-life.js';

/** A fleet of the family with every worker there `times` times over, and arrivals to match. */
function scaled(family: 'homogeneous' | 'specialists', seed: number, times: number): SimulationConfig {
  const f = familyFleet(family, seed, { tasks: 1500 });
  return {
    ...f,
    workers: f.workers.flatMap((w) => Array.from({ length: times }, (_, r) => ({ ...w, id: `${w.id}.${r}` }))),
    arrivalsPerSec: f.arrivalsPerSec * times,
  };
}

async function pretrained(): Promise<ModelStore> {
  const store = new MemoryModelStore();
  const clock = simClock();
  const teacher = new MlPredictor({ minSamples: 100, trainEvery: 1e9, trainIntervalMs: 0, iterations: 60, explorationRate: 0.05 }, { store, now: clock.now });
  simulate(familyFleet('homogeneous', 11, { tasks: 1500, typePrefix: 'train' }), predictorRouter(teacher, new PowerOfTwoStrategy(), 1, 'teacher', clock));
  await teacher.trainNow();
  await teacher.close();
  return store;
}

/** Runs the fleet with `shortlist`, handing every decision to `seen`. */
async function run(fleet: SimulationConfig, store: ModelStore, shortlist: number, seen?: (candidates: readonly WorkerView[], p: Prediction) => void) {
  const clock = simClock();
  const predictor = new MlPredictor({ trainIntervalMs: 0, shortlist }, { store, now: clock.now });
  await predictor.start();
  const watched: LearningPredictor = {
    name: 'watched',
    predict(task: TaskDescriptor, candidates: readonly WorkerView[]) {
      const p = predictor.predict(task, candidates);
      seen?.(candidates, p);
      return p;
    },
    observe: (o) => predictor.observe(o),
    routed: (t, w) => predictor.routed(t, w),
  };
  const report = simulate(fleet, predictorRouter(watched, new PowerOfTwoStrategy(), 1, 'ml', clock));
  await predictor.close();
  return report;
}

describe('shortlist of a large decision', () => {
  it('bounds every running task’s remaining time from below, for any log-deviation', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 500, noNaN: true }),
        fc.double({ min: 0, max: 5000, noNaN: true }),
        fc.double({ min: 0, max: 2.6, noNaN: true }),
        (est, ran, sigma) => {
          expect(residualAtLeast(est, ran, residualFloorShare(sigma))).toBeLessThanOrEqual(residualMs(est, ran, sigma * sigma));
        },
      ),
      { seed: 22, numRuns: 2000 },
    );
  });

  it('picks the candidate of least cost over every candidate, scores them all, and routes as well as scoring all in full', async () => {
    const store = await pretrained();
    const fleet = scaled('homogeneous', 12, 4);
    expect(fleet.workers.length).toBeGreaterThan(16);
    let shortlisted = 0;
    const listed = await run(fleet, store, 6, (candidates, p) => {
      expect(p.scores.map((s) => s.workerId)).toEqual(candidates.map((c) => c.id));
      if (p.choice === undefined || p.explored) return;
      shortlisted++;
      // Off the shortlist, a score is from the cost's lower bound: the pick's must still be the highest.
      const chosen = p.scores.find((s) => s.workerId === p.choice)!.score;
      for (const s of p.scores) expect(s.score).toBeLessThanOrEqual(chosen);
    });
    expect(shortlisted).toBeGreaterThan(1000);
    const full = await run(fleet, store, 0);
    expect(listed.meanLatencyMs).toBeLessThan(1.05 * full.meanLatencyMs);
  });
});
