import { describe, expect, it } from 'vitest';
import { MlPredictor } from '@weft/plugin-ml';
import { feed, synthFleet } from './synthetic.js';

describe('online training', () => {
  it('learns a service-time correction that beats the analytic estimate on outcomes it had not seen', async () => {
    const predictor = new MlPredictor({ minSamples: 100, trainEvery: 100_000, trainIntervalMs: 0, explorationRate: 0, iterations: 100, seed: 7 });
    try {
      const fleet = synthFleet(3);
      feed(predictor, fleet, 300, 11);
      await predictor.trainNow();
      expect(predictor.version).toBe(1);
      feed(predictor, fleet, 1200, 13, 700);
      expect(await predictor.trainNow()).toBe(2);
      const before = { ...predictor.stats.durationError };
      const late = feed(predictor, fleet, 400, 12, 300);
      expect(late.scored).toBeGreaterThan(300);
      // On outcomes it predicted before they ran, the network's service-time error is at least
      // 20% below the analytic per (worker, type) estimate's: task size drives service time here.
      const e = predictor.stats.durationError;
      expect(e.count - before.count).toBeGreaterThan(300);
      expect(e.network - before.network).toBeLessThan(0.8 * (e.analytic - before.analytic));
    } finally {
      await predictor.close();
    }
  });

  it('trains on its own every N outcomes', async () => {
    const predictor = new MlPredictor({ minSamples: 100, trainEvery: 150, trainIntervalMs: 0, iterations: 20 });
    try {
      feed(predictor, synthFleet(3), 149, 1);
      expect(predictor.isTraining).toBe(false);
      feed(predictor, synthFleet(3), 1, 2, 149);
      expect(predictor.isTraining).toBe(true);
      await predictor.whenIdle();
      expect(predictor.modelVersion).toBe('v1');
    } finally {
      await predictor.close();
    }
  });

  it('trains on its own every T ms when new outcomes arrived', async () => {
    const predictor = new MlPredictor({ minSamples: 100, trainEvery: 1_000_000, trainIntervalMs: 100, iterations: 20 });
    try {
      await predictor.start();
      feed(predictor, synthFleet(3), 120, 1);
      while (predictor.version === 0) {
        await new Promise((r) => setTimeout(r, 50));
        await predictor.whenIdle();
      }
      expect(predictor.modelVersion).toBe('v1');
    } finally {
      await predictor.close();
    }
  });
});
