/** A task the runner has handed to the fleet and not yet settled. */
import type { ExecuteRequest } from '../executors/executor.js';

export interface PendingTask {
  readonly requestId: string;
  readonly req: ExecuteRequest;
  workerId: string;
  queue: string;
  jobId: string;
  /** When the current job was enqueued (ms since the epoch). */
  enqueuedAt: number;
  routes: number;
  rerouting: boolean;
  settle(ok: boolean, value: unknown): void;
}
