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
