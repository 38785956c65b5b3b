import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WorkerStatsTracker } from '../src/executors/worker-stats.js';

describe('WorkerStatsTracker', () => {
  it('reports the success share of the last `window` outcomes, and every count, for any sequence', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.boolean(), { maxLength: 120 }), (window, outcomes) => {
        const t = new WorkerStatsTracker({ window });
        for (const ok of outcomes) {
          t.started();
          t.finished(ok, 5, ok ? undefined : 'boom');
        }
        const last = outcomes.slice(-window);
        expect(t.stats.successRate).toBeCloseTo(last.length === 0 ? 1 : last.filter(Boolean).length / last.length, 12);
        expect(t.stats.completed).toBe(outcomes.filter(Boolean).length);
        expect(t.stats.failed).toBe(outcomes.length - t.stats.completed);
        expect(t.stats.inFlight).toBe(0);
      }),
      { seed: 20261203, numRuns: 300 },
    );
  });
});
