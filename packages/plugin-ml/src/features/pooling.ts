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

/** What poolingSamples adds up over a type's workers. */
export interface PoolingSums {
  /** Workers with an estimate. */
  k: number;
  /** Sum and sum of squares of their ln estimates. */
  sum: number;
  sumSq: number;
  /** Sum of their sampling variances (relative variance over samples) and of their relative variances. */
  samplingVariance: number;
  withinVariance: number;
}

export function poolingSums(): PoolingSums {
  return { k: 0, sum: 0, sumSq: 0, samplingVariance: 0, withinVariance: 0 };
}

/** Adds one worker's service estimate (`logMeanMs`: ln meanMs); an estimate without a positive mean is left out. */
export function addEstimate(s: PoolingSums, meanMs: number, samples: number, logMeanMs: number, relVariance: number): void {
  if (!(meanMs > 0)) return;
  const n = Math.min(samples, MAX_POOLING_SAMPLES);
  s.k++;
  s.sum += logMeanMs;
  s.sumSq += logMeanMs * logMeanMs;
  // On the log scale a relative variance is the variance of the log, to first order.
  s.samplingVariance += relVariance / n;
  s.withinVariance += relVariance;
}

/** The type mean's weight, in samples, from the sums over its workers. */
export function pooledWeight({ k, sum, sumSq, samplingVariance, withinVariance }: PoolingSums): number {
  if (k < 2) return DEFAULT_POOLING_SAMPLES;
  const m = sum / k;
  const spread = Math.max(0, (sumSq - k * m * m) / (k - 1));
  const between = spread - samplingVariance / k;
  if (!(between > 0)) return MAX_POOLING_SAMPLES;
  return Math.min(MAX_POOLING_SAMPLES, withinVariance / k / between);
}

/** poolingSamples over a type's statistics by worker. */
export function poolingSamples(byWorker: ReadonlyMap<string, Readonly<PairStat>>): number {
  const sums = poolingSums();
  for (const p of byWorker.values()) {
    const e = p.service;
    if (e) addEstimate(sums, e.meanMs, e.samples, e.logMeanMs ?? Math.log(e.meanMs), e.relVariance);
  }
  return pooledWeight(sums);
}
