import { seededRandom } from '@weft/engine/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PairStats } from '../src/features/pair-stats.js';
import { DEFAULT_POOLING_SAMPLES, MAX_POOLING_SAMPLES } from '../src/features/pooling.js';
import { residualMs } from '../src/features/residual-life.js';

/** Lognormal service times with mean `mean` and log-sd `sigma`, from a seeded source. */
function draws(seed: number, mean: number, sigma: number, n: number): number[] {
  const random = seededRandom(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    out.push(mean * Math.exp(sigma * z - (sigma * sigma) / 2));
  }
  return out;
}

describe('remaining time of a running task (mean residual life)', () => {
  it('is the whole estimate before the task runs, never negative, and never ends before the estimate', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e5, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (est, ran, sigma) => {
          const left = residualMs(est, ran, sigma * sigma);
          expect(left).toBeGreaterThanOrEqual(0);
          expect(Number.isFinite(left)).toBe(true);
          if (ran === 0) expect(left).toBe(est);
          // E[X | X > r] >= E[X]: a task that has run r ends, on average, no earlier than its estimate.
          expect(ran + left).toBeGreaterThanOrEqual(est * 0.999);
        },
      ),
      { seed: 22 },
    );
  });

  it('matches the remaining time of sampled tasks that ran that long', () => {
    const sigma = 0.3;
    const samples = draws(7, 100, sigma, 200_000);
    for (const ran of [50, 100, 150]) {
      const longer = samples.filter((x) => x > ran);
      const empirical = longer.reduce((a, x) => a + x - ran, 0) / longer.length;
      expect(residualMs(100, ran, sigma * sigma)).toBeCloseTo(empirical, 0);
    }
  });
});

describe('pooling of equal and unequal workers (empirical Bayes)', () => {
  const feed = (stats: PairStats, worker: string, samples: number[]): void => {
    for (const [i, s] of samples.entries()) stats.record(worker, 't', true, s, s, i);
  };

  it('pools equal workers fully and keeps workers that really differ apart', () => {
    const equal = new PairStats();
    for (let w = 0; w < 6; w++) feed(equal, `w${w}`, draws(w + 1, 100, 0.3, 60));
    expect(equal.poolingSamples('t')).toBeGreaterThan(10);

    const unequal = new PairStats();
    for (let w = 0; w < 6; w++) feed(unequal, `w${w}`, draws(w + 1, 100 * 2 ** w, 0.3, 60));
    expect(unequal.poolingSamples('t')).toBeLessThan(1);
  });

  it('leans on the default until two workers have an estimate, and never exceeds full pooling', () => {
    const stats = new PairStats();
    feed(stats, 'a', [100, 110, 90]);
    expect(stats.poolingSamples('t')).toBe(DEFAULT_POOLING_SAMPLES);
    feed(stats, 'b', [100, 100, 100]);
    expect(stats.poolingSamples('t')).toBeLessThanOrEqual(MAX_POOLING_SAMPLES);
  });
});
