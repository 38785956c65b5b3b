/**
 * How sure the model is of one pick, in [0, 1]: the product of
 * - quality: held-out error of the baseline guess / the network's held-out error, capped at 1
 *   (1 when the network predicts at least as well as "each worker takes its usual time"),
 * - coverage: training samples of this task type's bucket / `typeCoverageSamples`, capped at 1,
 * - evidence: outcomes of this task type on the picked worker / `minPairObservations`, capped at 1.
 */
import type { ModelSnapshot } from '../model/model-format.js';

export interface ConfidenceInputs {
  readonly model: ModelSnapshot;
  readonly typeBucket: number;
  readonly pickObservations: number;
  readonly typeCoverageSamples: number;
  readonly minPairObservations: number;
}

export function modelQuality(model: ModelSnapshot): number {
  const q = model.quality;
  if (q.validationSamples === 0) return 0.5;
  return Math.min(1, (q.baselineMae + 1e-6) / (q.validationMae + 1e-6));
}

export function confidenceOf(i: ConfidenceInputs): number {
  const coverage = Math.min(1, (i.model.typeCoverage[i.typeBucket] ?? 0) / i.typeCoverageSamples);
  const evidence = Math.min(1, i.pickObservations / i.minPairObservations);
  return modelQuality(i.model) * coverage * evidence;
}
