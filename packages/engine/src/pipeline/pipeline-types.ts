/** The shape of a pipeline, shared by the typed builder and the file schema. JSON only: no code. */
import type { StepQueueOptions } from './queue-order.js';
import type { LimitDeclaration, RateLimit } from '../limits/limit-types.js';

/** A reference into the run's data: `input.x`, `steps.<id>.output.y`, `item`, `item.z`, `index`. */
export interface Ref {
  readonly $ref: string;
}

/** A step input: JSON literals with `{ $ref }` objects anywhere inside. */
export type ValueExpr = null | boolean | number | string | Ref | readonly ValueExpr[] | { readonly [key: string]: ValueExpr };

export type Comparison =
  | { readonly ref: string; readonly eq: unknown }
  | { readonly ref: string; readonly ne: unknown }
  | { readonly ref: string; readonly gt: number }
  | { readonly ref: string; readonly gte: number }
  | { readonly ref: string; readonly lt: number }
  | { readonly ref: string; readonly lte: number }
  | { readonly ref: string; readonly in: readonly unknown[] }
  | { readonly ref: string; readonly exists: boolean }
  | { readonly ref: string; readonly truthy: boolean };

/** A declarative condition: a comparison of a referenced value, or all/any/not of conditions. */
export type Condition = Comparison | { readonly all: readonly Condition[] } | { readonly any: readonly Condition[] } | { readonly not: Condition };

export interface BackoffPolicy {
  /** Default `exponential`. */
  readonly type?: 'exponential' | 'fixed';
  /** First delay in ms. Default 100. */
  readonly delayMs?: number;
  /** Cap on any one delay in ms. Default 30000. */
  readonly maxDelayMs?: number;
  /** Share of each delay randomised, 0..1 ("equal jitter"). Default 0.2. */
  readonly jitter?: number;
}

export interface RetryPolicy {
  /** Attempts after the first. Default 0. */
  readonly attempts: number;
  readonly backoff?: BackoffPolicy;
}

export interface StepDefinition extends StepQueueOptions {
  /** Unique within the pipeline: letters, digits, `_` and `-`. */
  readonly id: string;
  /** Task type: the key of a registered handler. */
  readonly task: string;
  readonly input?: ValueExpr;
  readonly dependsOn?: readonly string[];
  /** Attempts after the first (a number) or a full policy. Default: the handler's, else 0. */
  readonly retries?: number | RetryPolicy;
  /** Per-attempt timeout in ms; the handler's signal aborts when it passes. */
  readonly timeoutMs?: number;
  /** The step runs only when this holds; otherwise it is skipped (and so are steps that need its output). */
  readonly when?: Condition;
  /** Run the task once per element of this array (fan-out); the step's output is the array of results. */
  readonly forEach?: ValueExpr;
  /** Extra capabilities a worker must offer. */
  readonly capabilities?: readonly string[];
  /** Sticky routing key for consistent hashing. */
  readonly key?: ValueExpr;
  readonly tags?: readonly string[];
  /** Balancing strategy for this step, by name. */
  readonly strategy?: string;
  /** Set false to bypass the result cache. Default true. */
  readonly cache?: boolean;
  /** Per-key limits (limits/limit-types.ts): the key, with a concurrency and/or a rate. */
  readonly limitKey?: LimitDeclaration['limitKey'];
  readonly concurrency?: number;
  readonly rate?: RateLimit;
}

export interface PipelineDefinition {
  readonly name: string;
  readonly description?: string;
  /** Most steps (or forEach items) running at once. Default 16. */
  readonly maxParallel?: number;
  /** `fail-fast` (default) cancels the run at the first failed step; `continue` runs every step that can still run. */
  readonly onFailure?: 'fail-fast' | 'continue';
  /** Balancing strategy for every step, by name. */
  readonly strategy?: string;
  /** The run's result. Default: an object of every leaf step's output by step id. */
  readonly output?: ValueExpr;
  readonly steps: readonly StepDefinition[];
}
