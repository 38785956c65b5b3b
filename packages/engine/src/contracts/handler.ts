import type { Span } from '@opentelemetry/api';
import type { CachePolicyDeclaration } from './cache.js';
import type { Logger } from '../logging/logger.js';
import type { StandardSchemaV1 } from './standard-schema.js';
import type { TaskDescriptor } from './task.js';
import type { LimitDeclaration } from '../limits/limit-types.js';

export interface HandlerContext {
  /** Aborted on timeout, on run cancellation and on engine close; pass it to every long call. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** The task's execution span; add events or attributes, do not end it. */
  readonly span: Span;
  readonly task: TaskDescriptor;
  /** Id of the worker running the task. */
  readonly workerId: string;
}

export type TaskHandler<I = unknown, O = unknown> = (input: I, ctx: HandlerContext) => Promise<O> | O;

/**
 * Besides the fields below, a handler may declare per-key limits for its tasks (a step's own
 * declaration wins): `limitKey` (a string, or `{ $ref: 'input.tenant' }` into its task's input),
 * with `concurrency` and/or `rate: { max, perMs }`.
 */
export interface HandlerOptions<I = unknown> extends LimitDeclaration {
  /** Validates (and may transform) the input before the handler runs; failures are not retried. */
  inputSchema?: StandardSchemaV1<unknown, I>;
  /**
   * Capabilities a worker must offer to run this task type: a list, or a function of the task's
   * input (`(i) => ['lang:' + detect(i.file)]`) for tasks whose needs depend on what they get. Default none.
   */
  capabilities?: readonly string[] | ((input: I) => readonly string[]);
  /** Default timeout for this task type, in ms; a step's own timeout wins. Default none. */
  timeoutMs?: number;
  /** Default retry attempts after the first for this task type; a step's own wins. Default 0. */
  retries?: number;
  /** Part of cache keys: bump it when the handler's output changes. Default `1`. */
  version?: string;
  /**
   * Opts this task type into the result cache and declares how its input fields compare. A type
   * is cached only when this or the cache's own configuration says so. Default: not declared.
   */
  cache?: CachePolicyDeclaration;
  /**
   * The handler changes something besides its output (sends, writes, deploys): its tasks are never
   * answered from or stored in a cache, whatever `cache` or the cache's configuration say. Default false.
   */
  sideEffects?: boolean;
  /** `false`: never cached (as `sideEffects: true` does for caching). Default true. */
  cacheable?: boolean;
  /** One line for `weft status` and docs. */
  description?: string;
  /**
   * Runs the handler in a worker thread (`'thread'`) or a child process (`'process'`) instead of
   * the worker's own event loop: a timeout or cancellation then terminates it, which stops even
   * CPU-bound code, and `memoryMb` caps its heap. The handler must be made with `moduleHandler()`
   * so the thread or process can load it; input and output cross by structured clone. Default: in process.
   */
  isolate?: 'thread' | 'process';
  /**
   * Heap cap in MB of an isolated handler's thread (`resourceLimits.maxOldGenerationSizeMb`) or
   * process (`--max-old-space-size`); past it the task fails with `WEFT_TASK_MEMORY_LIMIT`. Only
   * with `isolate`. Default: Node's own limit.
   */
  memoryMb?: number;
}

export interface RegisteredHandler {
  readonly type: string;
  readonly fn: TaskHandler;
  readonly options: Readonly<HandlerOptions>;
  /** Plugin that registered it (`<app>` for engine.registerHandler). */
  readonly plugin: string;
}
