/** What the predictor counts about itself, and the model it holds. */
import type { CompiledNetwork } from '../model/compiled-network.js';
import type { ModelSnapshot } from '../model/model-format.js';
import { decodeDurationRatio } from '../features/encode.js';
import type { ChosenFeatures } from './pending-features.js';

/** The model in use: the snapshot and its compiled network, swapped as one object. */
export interface ActiveModel {
  readonly snapshot: ModelSnapshot;
  readonly network: CompiledNetwork;
  /** False when the store refused the publish and this model lives only here. */
  readonly shared: boolean;
  readonly label: string;
  /** How much of the network's duration correction is applied: its held-out skill, 0..1. */
  readonly correctionWeight: number;
}

export interface MlPredictorStats {
  decisions: number;
  predicted: number;
  explored: number;
  /** Explored decisions made while unsure: probes of untried workers and confirmations of a barely seen pick. */
  probes: number;
  fallbacks: Record<string, number>;
  outcomes: number;
  trainings: number;
  trainingFailures: number;
  /**
   * Sums of |ln actual − ln predicted| service time over successful outcomes the network had
   * predicted: `analytic` for the per-(worker, type) estimate alone, `network` for it corrected
   * by the network in full. 1 − network / analytic is the network's held-out skill.
   */
  durationError: { analytic: number; network: number; count: number };
  /** Last error from the store or the trainer, for `weft status` and tests. */
  lastError?: { code: string; message: string };
}

/** Why a decision fell back, as written to `weft.decision.reason`. */
export type FallbackReason = 'cold' | 'stale' | 'low-confidence' | 'closed';

export function emptyStats(): MlPredictorStats {
  return {
    decisions: 0,
    predicted: 0,
    explored: 0,
    probes: 0,
    fallbacks: {},
    outcomes: 0,
    trainings: 0,
    trainingFailures: 0,
    durationError: { analytic: 0, network: 0, count: 0 },
  };
}

/** Adds one outcome the network had predicted to the held-out duration errors (log scale). */
export function trackError(e: MlPredictorStats['durationError'], sample: number, chosen: ChosenFeatures): void {
  const actual = Math.log(Math.max(sample, 1e-3));
  e.analytic += Math.abs(actual - Math.log(Math.max(chosen.baseline, 1e-3)));
  e.network += Math.abs(actual - Math.log(Math.max(decodeDurationRatio(chosen.predicted, chosen.baseline), 1e-3)));
  e.count++;
}
