/** What routing sees of a worker: the same shape for an embedded slot and a fleet process. */
export interface WorkerStats {
  /** Tasks running on the worker now. */
  inFlight: number;
  /** Exponentially weighted moving average of task durations, in ms (0 before the first task). */
  ewmaLatencyMs: number;
  /** Share of finished tasks that succeeded, over a sliding window (1 before the first task). */
  successRate: number;
  completed: number;
  failed: number;
  /** Messages of the most recent failures, newest last (bounded). */
  recentErrors: string[];
}

export interface WorkerView {
  readonly id: string;
  /** Capabilities the worker offers (`lang:python`, `gpu`); `*` accepts every task. */
  readonly capabilities: readonly string[];
  readonly concurrency: number;
  /** Relative weight for weighted strategies. Default 1. */
  readonly weight: number;
  /** Free-form class of worker (`embedded`, `fleet`, `gpu-box`), a feature for predictors. */
  readonly kind: string;
  readonly stats: Readonly<WorkerStats>;
  /** Host and pid in fleet mode. */
  readonly host?: string;
  readonly pid?: number;
}

export function workerAccepts(worker: Pick<WorkerView, 'capabilities'>, required: readonly string[]): boolean {
  if (worker.capabilities.includes('*')) return true;
  return required.every((c) => worker.capabilities.includes(c));
}
