/**
 * How far a pair's service estimate leans on its type's mean: empirical Bayes (James–Stein). Each
 * worker's estimate of a type is its true mean plus sampling noise (the samples' relative
 * variance σ² over n); the true means spread around the type's mean by τ², read off the spread of
 * the estimates less the part their noise explains. The posterior mean weighs the type's mean as
 * σ²/τ² samples: equal workers (τ² ≈ 0) share one estimate, and only differences larger than
 * their noise tell workers apart; workers that really differ (specialists, a slow machine) keep
 * their own.
 */
import type { PairStat } from './pair-stats.js';
import { WEIGHT_FLOOR } from './service-estimate.js';

/** Weight of the type's mean, in samples, while fewer than two workers have an estimate. */
export const DEFAULT_POOLING_SAMPLES = 2;
/** Full pooling: as many samples as a pair's running mean ever counts. */
export const MAX_POOLING_SAMPLES = 1 / WEIGHT_FLOOR;

export function poolingSamples(byWorker: ReadonlyMap<string, Readonly<PairStat>>): number {
  let k = 0;
  let sum = 0;
  let sumSq = 0;
  let samplingVariance = 0;
  let withinVariance = 0;
  for (const p of byWorker.values()) {
    const e = p.service;
    if (!e || !(e.meanMs > 0)) continue;
    const n = Math.min(e.samples, MAX_POOLING_SAMPLES);
    const l = e.logMeanMs ?? Math.log(e.meanMs);
    k++;
    sum += l;
    sumSq += l * l;
    // On the log scale a relative variance is the variance of the log, to first order.
    samplingVariance += e.relVariance / n;
    withinVariance += e.relVariance;
  }
  if (k < 2) return DEFAULT_POOLING_SAMPLES;
  const m = sum / k;
  const spread = Math.max(0, (sumSq - k * m * m) / (k - 1));
  const between = spread - samplingVariance / k;
  if (!(between > 0)) return MAX_POOLING_SAMPLES;
  return Math.min(MAX_POOLING_SAMPLES, withinVariance / k / between);
}
