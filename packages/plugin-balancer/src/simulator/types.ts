/** The fleet simulator's public shapes: fleets, task mixes, routers and the report. */
import type { TaskDescriptor, TaskOutcome, WorkerView } from '@weft/engine';

export interface SimWorkerSpec {
  id: string;
  /** Default `['*']`: accepts every task. */
  capabilities?: string[];
  /** Tasks served at once; the rest wait in the worker's FIFO queue. */
  concurrency: number;
  /** Default `sim`. */
  kind?: string;
  /** Relative weight for weighted strategies. Default 1. */
  weight?: number;
  /** Mean service time in ms per task type; `default` for others. */
  serviceMs: Record<string, number>;
  /** Probability a task fails on this worker. Default 0. */
  failureRate?: number;
  /** Periods when the worker is slower: service time multiplied by factor between startMs and endMs of simulated time. */
  slowdowns?: { startMs: number; endMs: number; factor: number }[];
}

export interface SimTaskKind {
  type: string;
  /** Relative share of arrivals. */
  weight: number;
  capabilities?: string[];
  /** Mean input size in bytes. Default 256. */
  sizeBytes?: number;
  /**
   * Spread of input sizes: each task's size is `sizeBytes` times a mean-1 lognormal factor of
   * this sigma, and its service time scales with that factor (bigger inputs take longer).
   * Default 0: every task of the kind has `sizeBytes` and its type's mean service time.
   */
  sizeSigma?: number;
  tags?: string[];
  /** Adds the tag `lang:<language>`; a feature for predictors. */
  language?: string;
  /** Distinct sticky keys (`task.key`) drawn uniformly for this kind. Default 64. */
  keys?: number;
}

export interface SimulationConfig {
  seed: number;
  workers: SimWorkerSpec[];
  mix: SimTaskKind[];
  /** Poisson arrival rate of tasks, per simulated second. */
  arrivalsPerSec: number;
  /** Tasks to simulate. */
  tasks: number;
  /** Service time noise, lognormal sigma, default 0.25. */
  noise?: number;
  /**
   * ON/OFF arrivals: tasks arrive only during ON periods of `onMs`, separated by OFF periods of
   * `offMs`, at the rate that keeps `arrivalsPerSec` as the long-run average. Default: steady.
   */
  burst?: { onMs: number; offMs: number };
}

export interface SimOracle {
  /** True expected service time of this task on this worker at the current simulated time (incl. slowdown and the task's size, excl. queueing). */
  expectedServiceMs(workerId: string): number;
  /** Expected queueing delay given current in-flight/queue (the running tasks' true remaining times). */
  expectedWaitMs(workerId: string): number;
  /** Expected queueing delay for a router that knows every true mean but not the running tasks' noise draws. */
  blindWaitMs(workerId: string): number;
  /** Simulated time of this decision, in ms (a clock for guards such as the circuit breaker). */
  nowMs(): number;
}

export interface SimRouter {
  name: string;
  route(task: TaskDescriptor, candidates: readonly WorkerView[], oracle: SimOracle): string;
  /** Told of each finished task at simulated time `nowMs`; `durationMs` is wait + service, as `task:after` reports it. */
  observe?(outcome: TaskOutcome, nowMs: number): void;
}

export interface SimDecision {
  chosen: string;
  /** The candidate with the lowest true expected service time at decision time. */
  best: string;
  /** True expected service time (no wait) on the chosen worker and on `best`. */
  chosenExpectedMs: number;
  bestExpectedMs: number;
  /**
   * True expected completion time on the chosen worker: the true remaining time of its running
   * tasks and the expected work of its queue, played out over its slots, then this task's
   * expected service time.
   */
  chosenCompletionMs: number;
  /** The lowest true expected completion time among the candidates. */
  bestCompletionMs: number;
}

export interface SimReport {
  router: string;
  tasks: number;
  meanLatencyMs: number;
  p50LatencyMs: number;
  p99LatencyMs: number;
  failures: number;
  /** Busy slot-time over available slot-time across the fleet, 0..1. */
  utilisation: number;
  decisions: SimDecision[];
  /** Tasks each worker served. */
  perWorker: Record<string, number>;
  /** Simulated time from the first arrival to the last completion, in ms. */
  makespanMs: number;
}
