import type { InjectionToken } from 'tsyringe';
import type { TaskDescriptor } from './task.js';
import type { WorkerView } from './worker.js';

/** A strategy's or predictor's view of one candidate's merit (higher is better unless stated). */
export interface CandidateScore {
  readonly workerId: string;
  readonly score: number;
  readonly expectedDurationMs?: number;
  readonly successProbability?: number;
}

export interface Prediction {
  /** The predictor's pick, or undefined to fall back to the balancing strategy. */
  readonly choice?: string;
  /** 0..1: how sure the predictor is of the pick. */
  readonly confidence: number;
  readonly scores: readonly CandidateScore[];
  readonly modelVersion: string;
  /** True when the pick was made to explore rather than exploit. */
  readonly explored?: boolean;
  /** Why the predictor gave no pick (`cold`, `low-confidence`, `stale`…). */
  readonly fallbackReason?: string;
}

export interface SelectContext {
  /** Seeded random source in [0, 1); strategies must not call Math.random. */
  readonly random: () => number;
  /** The predictor's scores for these candidates when a predictor ran. */
  readonly prediction?: Prediction;
  /** Options given to this strategy in configuration. */
  readonly options?: Readonly<Record<string, unknown>>;
}

export interface StrategyChoice {
  readonly workerId: string;
  /** Per-candidate scores the strategy computed, recorded on the decision span (top few). */
  readonly scores?: readonly CandidateScore[];
  readonly reason?: string;
}

/** Chooses one worker among healthy, capable candidates. Registered under the BalancingStrategy token. */
export interface BalancingStrategy {
  readonly name: string;
  select(task: TaskDescriptor, candidates: readonly WorkerView[], ctx: SelectContext): StrategyChoice;
}

/** Predicts how each candidate would serve a task. Registered under the Predictor token. */
export interface Predictor {
  readonly name: string;
  predict(task: TaskDescriptor, candidates: readonly WorkerView[]): Prediction | Promise<Prediction>;
}

export interface GuardVerdict {
  readonly allowed: boolean;
  /** Why a worker is refused (`breaker-open`, `bulkhead-full`). */
  readonly reason?: string;
}

/**
 * Keeps a worker out of routing for now (circuit breaker, bulkhead). When every capable worker
 * is refused the dispatcher waits, bounded by `routing.waitForCapacityMs`, and asks again.
 */
export interface WorkerGuard {
  readonly name: string;
  admit(worker: WorkerView, task: TaskDescriptor): GuardVerdict;
  /**
   * The task's attempt left worker `from` (lost, draining, or its job gone) for worker `to`, or
   * for a pool queue (`to` undefined) where any capable worker may take it. A guard that holds
   * capacity per worker (a bulkhead) moves the hold; the task's `route:after` is not run again.
   */
  moved?(task: TaskDescriptor, from: string, to: string | undefined): void;
}

/** The dispatcher's record of one routing decision. */
export interface RouteDecision {
  readonly workerId: string;
  /** `predictor`, a strategy name, or `default` (built-in least-in-flight). */
  readonly decidedBy: string;
  readonly reason: string;
  readonly candidates: readonly string[];
  readonly scores: readonly CandidateScore[];
  readonly prediction?: Prediction;
  /** Capable workers a guard refused (a breaker open, a bulkhead full), and why. */
  readonly refused?: readonly { readonly workerId: string; readonly reason: string }[];
}

export const BalancingStrategy: InjectionToken<BalancingStrategy> = Symbol.for('weft.BalancingStrategy');
export const Predictor: InjectionToken<Predictor> = Symbol.for('weft.Predictor');
export const WorkerGuard: InjectionToken<WorkerGuard> = Symbol.for('weft.WorkerGuard');
