/**
 * Runs a predictor inside the fleet simulator exactly as the dispatcher does: the predictor's
 * pick when it gives one, else the balancing strategy's, and every outcome fed back to it.
 */
import { seededRandom, type BalancingStrategy, type Predictor, type Prediction, type TaskDescriptor, type TaskOutcome } from '@weft/engine';
import type { SimRouter } from '@weft/plugin-balancer';

/** A predictor whose predict() answers synchronously and that learns from outcomes. */
export interface LearningPredictor extends Predictor {
  predict(...args: Parameters<Predictor['predict']>): Prediction;
  observe(outcome: TaskOutcome): void;
  /** Told which worker each decision went to, as the `route:after` hook does. */
  routed?(task: TaskDescriptor, workerId: string): void;
}

export interface PredictorRouterCounts {
  predicted: number;
  explored: number;
  fellBack: number;
}

export function predictorRouter(predictor: LearningPredictor, fallback: BalancingStrategy, seed: number, name = `${predictor.name}+${fallback.name}`): SimRouter & { counts: PredictorRouterCounts } {
  const random = seededRandom(seed);
  const counts: PredictorRouterCounts = { predicted: 0, explored: 0, fellBack: 0 };
  return {
    name,
    counts,
    route(task, candidates) {
      const prediction = predictor.predict(task, candidates);
      let choice: string;
      if (prediction.choice !== undefined && candidates.some((c) => c.id === prediction.choice)) {
        if (prediction.explored) counts.explored++;
        else counts.predicted++;
        choice = prediction.choice;
      } else {
        counts.fellBack++;
        choice = fallback.select(task, candidates, { random, prediction }).workerId;
      }
      predictor.routed?.(task, choice);
      return choice;
    },
    observe: (outcome) => predictor.observe(outcome),
  };
}
