/**
 * How long a running task still needs, given how long it has run: its mean residual life
 * (`lognormalResidualMs`), with the log-variance of actual over expected service times learned
 * from outcomes, and never less than a small share of its estimate (an outcome may be on its way).
 */
import { lognormalResidualMs } from '@weft/engine/util';

/** Floor of the remaining time, as a share of the estimate. */
const MIN_REMAINING_SHARE = 0.05;

export function residualMs(estimateMs: number, ranMs: number, logVariance: number): number {
  return residualMsAt(estimateMs, ranMs, Math.sqrt(Math.max(logVariance, 0)));
}

/**
 * residualMs with the lognormal σ (√ of the log-variance) given, and ln max(estimate, 1e-9) when
 * the caller keeps it (the ledger asks about each running task at every decision).
 */
export function residualMsAt(estimateMs: number, ranMs: number, sigma: number, logEstimate?: number): number {
  if (!(ranMs > 0)) return estimateMs;
  return Math.max(MIN_REMAINING_SHARE * estimateMs, lognormalResidualMs(estimateMs, ranMs, sigma, logEstimate));
}

/**
 * What residualMs never undercuts, for finite non-negative estimates: the mean residual life of
 * a task is at least its mean less the time it ran (conditioning on X > r raises E[X]), and at
 * least `floorShare` of its mean (see residualFloorShare); shrunk by a millionth for the error of
 * erfc's approximation (1.2e-7).
 */
export function residualAtLeast(estimateMs: number, ranMs: number, floorShare: number): number {
  if (!(ranMs > 0)) return estimateMs;
  return Math.max(floorShare * estimateMs, (estimateMs - ranMs) * (1 - 1e-6));
}

/** σ steps of the floor table, and the largest σ it covers (beyond, the last step's floor holds: it grows with σ). */
const SIGMA_STEP = 0.01;
const SIGMA_STEPS = 250;
const floors = new Float64Array(SIGMA_STEPS + 1).fill(Number.NaN);

/**
 * The least share of its estimate that residualMsAt gives a running task, however long it ran,
 * for a log-deviation of at least `sigma`: the minimum over ran / estimate in (0, 50] (a grid of
 * 1% steps, the least less 2% for what falls between), at the step of σ just below (the minimum
 * grows with σ: checked from 0 to 2.5 in steps of 0.001). Computed once per step of σ.
 */
export function residualFloorShare(sigma: number): number {
  const step = Math.min(SIGMA_STEPS, Math.max(0, Math.floor(sigma / SIGMA_STEP)));
  let floor = floors[step]!;
  if (Number.isNaN(floor)) {
    let least = Infinity;
    for (let ran = 0.001; ran <= 50; ran *= 1.01) least = Math.min(least, residualMsAt(1, ran, step * SIGMA_STEP));
    // At most the whole estimate: a task that has just started needs about all of it.
    floors[step] = floor = Math.max(MIN_REMAINING_SHARE, 0.98 * Math.min(1, least));
  }
  return floor;
}
