import { describe, expect, it } from 'vitest';
import { seededRandom } from '@weft/engine';
import { ChoiceCosts, choose, firstEstimate, nextEstimate, relativeStandardError, type ServiceEstimate } from '@weft/plugin-ml';

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

/** Costs as the predictor writes them (success probability 1, no premium). */
function costs(rows: { service: number; wait: number }[], waitWeight: number): ChoiceCosts {
  const c = new ChoiceCosts().ensure(rows.length);
  rows.forEach((row, i) => {
    c.service[i] = row.service;
    c.full[i] = row.service + row.wait;
    c.discounted[i] = row.service + waitWeight * row.wait;
  });
  return c;
}

describe('choose', () => {
  it('lets the queue decide among workers within 10% of the fastest', () => {
    // 30 vs 32 ms: equally fast for the measure; the shorter queue wins even though it is 2 ms slower.
    expect(choose(costs([{ service: 30, wait: 6 }, { service: 32, wait: 0 }], 0.25), 2)).toBe(1);
  });

  it('leaves the fastest class for a slower worker only when its discounted wait is still worse', () => {
    const fastBusy = (wait: number): number => choose(costs([{ service: 10, wait }, { service: 15, wait: 0 }], 0.25), 2);
    // Full cost says the slow worker (15 < 10 + 8), but a quarter of 8 ms does not outweigh 5 ms of service.
    expect(fastBusy(8)).toBe(0);
    expect(fastBusy(19)).toBe(0);
    expect(fastBusy(21)).toBe(1);
    // With the wait counted in full, the slow worker wins as soon as the wait exceeds 5 ms.
    expect(choose(costs([{ service: 10, wait: 6 }, { service: 15, wait: 0 }], 1), 2)).toBe(1);
  });
});
