import type { TaskLimit } from '../limits/limit-types.js';
import type { CachePolicyDeclaration } from './cache.js';

/** One unit of work as routing, caching and predictors see it (no functions, JSON-safe). */
export interface TaskDescriptor {
  /** Unique per attempt-independent task: `<runId>:<stepId>` or `<runId>:<stepId>[i]` for forEach items. */
  readonly id: string;
  readonly runId: string;
  readonly stepId: string;
  /** The item's index in its step's list, for a forEach item; absent for a single-task step. */
  readonly itemIndex?: number;
  /** Task type, the key of its handler (`lsp.diagnostics`). */
  readonly type: string;
  readonly input: unknown;
  /** Capabilities a worker must offer: the handler's plus the step's. */
  readonly capabilities: readonly string[];
  /** Sticky routing key (consistent hashing), when the step sets one. */
  readonly key?: string;
  readonly tags: readonly string[];
  /** Size of the JSON input in bytes, a routing feature. */
  readonly sizeBytes: number;
  /** 1-based attempt number. */
  readonly attempt: number;
  /** Version of the handler, part of cache keys. */
  readonly handlerVersion: string;
  /** Idempotency key: run + step (+ item); stable across attempts. */
  readonly idempotencyKey: string;
  /** Balancing strategy asked for by the step or pipeline, if any. */
  readonly strategy?: string;
  /** Set when the step opts out of the result cache, or its handler has side effects or is not cacheable. */
  readonly noCache?: boolean;
  /** The handler's cache declaration (`HandlerOptions.cache`), for the result cache; absent when it declares none. */
  readonly cachePolicy?: CachePolicyDeclaration;
  /** Per-key limits the task is admitted under (its step's, else its handler's), resolved; absent when none. */
  readonly limit?: TaskLimit;
}

/** The finished state of one attempt, given to `task:after`/`task:error` hooks and predictors. */
export interface TaskOutcome {
  readonly task: TaskDescriptor;
  readonly workerId: string;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly output?: unknown;
  readonly error?: Error;
  /** Answered from a cache or a hook without running. */
  readonly shortCircuited: boolean;
}
