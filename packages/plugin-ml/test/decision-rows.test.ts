import { describe, expect, it } from 'vitest';
import type { TaskDescriptor, TaskOutcome } from '@weft/engine';
import { seededRandom } from '@weft/engine/util';
import { MlPredictor } from '@weft/plugin-ml';
import { synthFleet, synthTask } from './synthetic.js';

const done = (task: TaskDescriptor, workerId: string): TaskOutcome => ({ task, workerId, ok: true, durationMs: 20, shortCircuited: false });

describe('decision rows', () => {
  it('trains on the rows each routed decision saw, and on none for a decision whose rows later unrouted decisions reused', async () => {
    const predictor = new MlPredictor({ minSamples: 1, trainEvery: 1e9, trainIntervalMs: 0, iterations: 5, validationShare: 0 });
    try {
      const views = synthFleet(4).map((w) => w.view);
      const r = seededRandom(3);
      const stale = synthTask(r, 0);
      predictor.predict(stale, views);
      // Many more decisions, each routed at once, before the first is routed: its arrays are reused meanwhile.
      const later = Array.from({ length: 300 }, (_, i) => synthTask(r, i + 1));
      for (const task of later) {
        predictor.predict(task, views);
        predictor.routed(task, views[1]!.id);
      }
      predictor.routed(stale, views[0]!.id);
      predictor.observe(done(stale, views[0]!.id));
      for (const task of later.slice(0, 10)) predictor.observe(done(task, views[1]!.id));
      await predictor.trainNow();
      expect(predictor.stats.outcomes).toBe(11);
      expect(predictor.model?.samples).toBe(10);
    } finally {
      await predictor.close();
    }
  });
});
