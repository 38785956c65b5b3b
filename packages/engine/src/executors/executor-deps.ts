/** What an executor is built from: the engine's services, and a router for tasks that lose their worker. */
import type { EngineConfig } from '../config/engine-config.js';
import type { TaskDescriptor } from '../contracts/task.js';
import type { WorkerView } from '../contracts/worker.js';
import type { HandlerRegistry } from '../handlers/handler-registry.js';
import type { Logger } from '../logging/logger.js';
import type { Telemetry } from '../tracing/telemetry.js';

/** A re-route's choice among live capable workers; see Router.reselect. */
export type Reselect = (
  task: TaskDescriptor,
  views: readonly WorkerView[],
) => { readonly workerId: string; readonly decidedBy: string; readonly reason: string };

/**
 * What an executor asks of the routing layer after a task was routed: the dispatcher implements it.
 * The executor is built before the dispatcher (which routes onto the executor's workers), so the
 * engine hands executors a Router that resolves the dispatcher from the container on first use.
 */
export interface Router {
  /**
   * Picks a new worker for a task whose worker was lost (a fleet re-route): the configured guards
   * and the task's balancing strategy, as for its first route, without the predictor or hooks.
   */
  reselect: Reselect;
  /** Tells the guards that a re-route moved a task from one worker to another, or to a pool queue (`to` undefined). */
  moved(task: TaskDescriptor, from: string, to: string | undefined): void;
}

/** What a runtime needs from the engine to build its executor (resolve it with ExecutorDepsToken). */
export interface ExecutorDeps {
  readonly handlers: HandlerRegistry;
  readonly telemetry: Telemetry;
  readonly logger: Logger;
  readonly config: EngineConfig;
  /** See Router.reselect. */
  readonly reselect?: Reselect;
  /** See Router.moved. */
  readonly moved?: (task: TaskDescriptor, from: string, to: string | undefined) => void;
}
