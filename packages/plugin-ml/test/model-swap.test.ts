import { describe, expect, it } from 'vitest';
import { fanOut, mlEngine } from './helpers.js';

describe('model swap', () => {
  it('keeps dispatching while a training runs, then swaps the new model in with a version bump', async () => {
    const { engine, predictor, spans } = await mlEngine({ minSamples: 20, trainEvery: 1_000_000, trainIntervalMs: 0, iterations: 50 });
    try {
      const first = fanOut(40);
      await engine.run(first.pipeline, first.input);
      // A barrier, not a long training: the trained model waits here until the second run is over.
      const release = predictor.holdSwaps();
      const training = predictor.trainNow();
      expect(predictor.isTraining).toBe(true);

      const before = spans('weft.decision.predict').length;
      const second = fanOut(60);
      const res = await engine.run(second.pipeline, second.input);
      expect(res.status).toBe('succeeded');
      // The run finished while the training was still in flight: dispatch never waited for it.
      expect(predictor.isTraining).toBe(true);
      const during = spans('weft.decision.predict').slice(before);
      expect(during).toHaveLength(60);
      expect(new Set(during.map((s) => s.attributes['weft.decision.model_version']))).toEqual(new Set(['none']));

      release();
      await expect(training).resolves.toBe(1);
      expect(predictor.isTraining).toBe(false);
      expect(predictor.modelVersion).toBe('v1');

      const after = spans('weft.decision.predict').length;
      const third = fanOut(20);
      await engine.run(third.pipeline, third.input);
      const later = spans('weft.decision.predict').slice(after);
      expect(new Set(later.map((s) => s.attributes['weft.decision.model_version']))).toEqual(new Set(['v1']));
    } finally {
      await engine.close();
    }
  });
});
