/**
 * A worker's service time for one task type, estimated from samples. Which of two workers is
 * faster is often a question of 10–20%, and samples are noisy (25–30% is common), so an EWMA
 * with a fixed weight never settles closer than a few percent and two close workers trade places
 * on noise. This estimate is a running mean instead (each sample weighs 1/n, down to
 * WEIGHT_FLOOR, so about the last 50 samples count), and it follows real change through a drift
 * check: a fast EWMA of the same samples runs alongside, and when it departs from the mean by more
 * than DRIFT_RATIO either way (a slow-down starts or ends), the mean restarts from it.
 */

export interface ServiceEstimate {
  /** The estimate, in ms. */
  readonly meanMs: number;
  /** Samples in the mean since it last restarted. */
  readonly samples: number;
  /** Fast EWMA of the samples: the drift check. */
  readonly recentMs: number;
  /** EWMA of the squared relative deviation of samples from the estimate. */
  readonly relVariance: number;
  /** ln meanMs, computed once per sample: pooling reads it for every worker of the type. */
  readonly logMeanMs?: number;
}

/** Lowest weight of a new sample in the mean: the mean spans about 1 / WEIGHT_FLOOR samples. */
export const WEIGHT_FLOOR = 0.02;
/** Weight of a new sample in the drift check. */
const DRIFT_ALPHA = 0.25;
/**
 * Samples lose half their weight for every HALF_LIFE_SERVICES of the estimate's own service
 * times that pass without a new one: a worker not sent work for a while (it looked slow during a
 * slow-down) is known less and less well, so the next samples move its estimate fast.
 */
export const HALF_LIFE_SERVICES = 20;

/** The weight, in samples, of an estimate `ageMs` after its last sample. */
export function effectiveSamples(e: ServiceEstimate, ageMs: number): number {
  const n = Math.min(e.samples, 1 / WEIGHT_FLOOR);
  if (!(ageMs > 0) || e.meanMs <= 0) return n;
  return n * Math.exp((-Math.LN2 * ageMs) / (HALF_LIFE_SERVICES * e.meanMs));
}
/** Mean and drift check this far apart (as a ratio) restart the mean. */
const DRIFT_RATIO = 1.5;
/** A restarted mean counts as this many samples, so the next few still move it fast. */
const RESTART_SAMPLES = 4;
/** Relative variance assumed before samples show their own: a 25% spread. */
const INITIAL_REL_VARIANCE = 0.0625;
const VARIANCE_ALPHA = 0.05;

export function firstEstimate(sampleMs: number): ServiceEstimate {
  return { meanMs: sampleMs, samples: 1, recentMs: sampleMs, relVariance: INITIAL_REL_VARIANCE, logMeanMs: Math.log(sampleMs) };
}

/** `ageMs`: time since the previous sample (0: no forgetting). */
export function nextEstimate(prev: ServiceEstimate, sampleMs: number, ageMs = 0): ServiceEstimate {
  const recentMs = DRIFT_ALPHA * sampleMs + (1 - DRIFT_ALPHA) * prev.recentMs;
  const deviation = prev.meanMs > 0 ? sampleMs / prev.meanMs - 1 : 0;
  const relVariance = VARIANCE_ALPHA * deviation * deviation + (1 - VARIANCE_ALPHA) * prev.relVariance;
  const drift = prev.meanMs > 0 ? recentMs / prev.meanMs : 1;
  if (drift > DRIFT_RATIO || drift < 1 / DRIFT_RATIO)
    return { meanMs: recentMs, samples: RESTART_SAMPLES, recentMs, relVariance, logMeanMs: Math.log(recentMs) };
  const samples = Math.max(1, effectiveSamples(prev, ageMs)) + 1;
  const weight = Math.max(1 / samples, WEIGHT_FLOOR);
  const meanMs = weight * sampleMs + (1 - weight) * prev.meanMs;
  return { meanMs, samples, recentMs, relVariance, logMeanMs: Math.log(meanMs) };
}

/** Standard error of the estimate relative to it: the samples' spread over √(samples counted). */
export function relativeStandardError(e: ServiceEstimate): number {
  return Math.sqrt(e.relVariance / Math.min(e.samples, 1 / WEIGHT_FLOOR));
}
