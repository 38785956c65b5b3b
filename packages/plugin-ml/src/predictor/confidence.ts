/**
 * How sure the model is of one pick, in [0, 1]: the product of
 * - quality: held-out error of the baseline guess / the network's held-out error, capped at 1
 *   (1 when the network predicts at least as well as "each worker takes its usual time"),
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

export function modelQuality(model: ModelSnapshot): number {
  const q = model.quality;
  if (q.validationSamples === 0) return 0.5;
  return Math.min(1, (q.baselineMae + 1e-6) / (q.validationMae + 1e-6));
}

export function confidenceOf(i: ConfidenceInputs): number {
  const evidence = Math.min(1, i.pickObservations / i.minPairObservations);
  return modelQuality(i.model) * evidence * i.coverage;
}

/** Skill of the duration output over the analytic estimate on held-out outcomes: 1 - error ratio, in [0, 1]. */
export function correctionWeight(model: ModelSnapshot): number {
  const q = model.quality;
  if (q.validationSamples === 0 || q.baselineMae <= 0) return 0;
  return Math.max(0, Math.min(1, 1 - q.validationMae / q.baselineMae));
}
