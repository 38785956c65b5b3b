/**
 * Runs a predictor inside the fleet simulator exactly as the dispatcher does: the predictor's
 * pick when it gives one, else the balancing strategy's, and every outcome fed back to it.
 */
import type { BalancingStrategy, Predictor, TaskDescriptor, TaskOutcome, WorkerView } from '@weft/engine';
import type { Prediction } from '@weft/engine/contracts';
import { seededRandom } from '@weft/engine/util';

/**
 * The simulator's router shape (plugin-balancer's SimRouter), stated here so that plugin-ml does
 * not depend on plugin-balancer at run time; the simulator accepts it structurally.
 */
export interface SimRouterLike {
  readonly name: string;
  route(task: TaskDescriptor, candidates: readonly WorkerView[], oracle: { nowMs(): number }): string;
  observe?(outcome: TaskOutcome, nowMs: number): void;
}

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

/** Simulated time for a predictor's clock (`MlPredictorDeps.now`): the router sets it before each call. */
export interface SimClock {
  nowMs: number;
  readonly now: () => number;
}

export function simClock(): SimClock {
  const clock: SimClock = { nowMs: 0, now: () => clock.nowMs };
  return clock;
}

export function predictorRouter(
  predictor: LearningPredictor,
  fallback: BalancingStrategy,
  seed: number,
  name = `${predictor.name}+${fallback.name}`,
  clock?: SimClock,
): SimRouterLike & { counts: PredictorRouterCounts } {
  const random = seededRandom(seed);
  const counts: PredictorRouterCounts = { predicted: 0, explored: 0, fellBack: 0 };
  return {
    name,
    counts,
    route(task, candidates, oracle) {
      if (clock) clock.nowMs = oracle.nowMs();
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
    observe(outcome, nowMs) {
      if (clock) clock.nowMs = nowMs;
      predictor.observe(outcome);
    },
  };
}
