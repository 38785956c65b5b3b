/**
 * How sure the model is of one pick, in [0, 1]: the product of
 * - quality: held-out error of the baseline guess / the network's held-out error, capped at 1
 *   (1 when the network predicts at least as well as "each worker takes its usual time"), both
 *   plus ERROR_FLOOR,
 * - evidence: outcomes of this task type on the picked worker / `minPairObservations`, capped at 1,
 * - coverage: share of the candidates that have served this task type at least once (an
 *   unseen worker may be the best one, and the model cannot know).
 */
import type { ModelSnapshot } from '../model/model-format.js';

export interface ConfidenceInputs {
  readonly model: ModelSnapshot;
  readonly pickObservations: number;
  readonly minPairObservations: number;
  /** Candidates with at least one outcome of this task type / candidates. */
  readonly coverage: number;
}

/**
 * Errors (on the log duration-ratio scale) below about 5% are all good enough to route by: when
 * the baseline guess is nearly exact (steady workers), the ratio of two tiny errors would swing
 * the confidence on noise, and the network's share of a score is weighted by its skill anyway.
 */
const ERROR_FLOOR = 0.05;

export function modelQuality(model: ModelSnapshot): number {
  const q = model.quality;
  if (q.validationSamples === 0) return 0.5;
  return Math.min(1, (q.baselineMae + ERROR_FLOOR) / (q.validationMae + ERROR_FLOOR));
}

export function confidenceOf(i: ConfidenceInputs): number {
  const evidence = Math.min(1, i.pickObservations / i.minPairObservations);
  return modelQuality(i.model) * evidence * i.coverage;
}

/** Skill at which the network's duration correction is applied in full. */
export const FULL_TRUST_SKILL = 0.2;

/**
 * How much of the network's duration correction to apply, in [0, 1]: its skill over the
 * analytic estimate on held-out outcomes (1 − error ratio), scaled so that FULL_TRUST_SKILL or
 * more trusts it in full and none ignores it.
 */
export function correctionWeight(model: ModelSnapshot): number {
  const q = model.quality;
  if (q.validationSamples === 0 || q.baselineMae <= 0) return 0;
  return Math.max(0, Math.min(1, (1 - q.validationMae / q.baselineMae) / FULL_TRUST_SKILL));
}
