import type { Context } from '@opentelemetry/api';
import type { TaskDescriptor } from '../contracts/task.js';
import type { WorkerView } from '../contracts/worker.js';

export interface ExecuteRequest {
  readonly task: TaskDescriptor;
  readonly workerId: string;
  /** Aborts on timeout, cancellation or engine close. */
  readonly signal: AbortSignal;
  readonly timeoutMs?: number;
  /** Parent of the execution span (the task's route decision span); crosses processes as W3C trace context. */
  readonly traceContext: Context;
  /**
   * Called before the result settles when the task ran on another worker than `workerId` (a
   * fleet re-route, or a pool queue another worker took it from), so that hooks, and through
   * them predictors and breakers, hear of the worker that really ran it.
   */
  readonly onWorker?: (workerId: string) => void;
  /** Higher runs first among the worker's waiting tasks (Weft's convention; see pipeline/queue-order.ts). Default 0. */
  readonly priority?: number;
  /** Epoch ms before which the task does not start (a step's delayMs or notBefore). */
  readonly notBefore?: number;
}

/**
 * Where tasks run: `embedded` (in-process slots) or `fleet` (BullMQ workers). Both give routing
 * the same WorkerView and the scheduler the same execute(), so a pipeline never changes.
 */
export interface Executor {
  /** Names the runtime in spans and logs; behaviour hangs on the capability flags below, not on it. */
  readonly kind: 'embedded' | 'fleet';
  /**
   * Whether routing waits, bounded, for a capable worker to (re)appear when none is live now (a
   * fleet's workers come and go), instead of failing at once (embedded slots are fixed).
   */
  readonly waitsForWorkers: boolean;
  /** Live workers, as routing sees them now. */
  workers(): readonly WorkerView[];
  /** Runs one attempt on the chosen worker and resolves with the handler's output. */
  execute(request: ExecuteRequest): Promise<unknown>;
  /** Calls back whenever a worker may have spare capacity (a task ended, a worker joined). */
  onCapacity(listener: () => void): () => void;
  close(): Promise<void>;
}
