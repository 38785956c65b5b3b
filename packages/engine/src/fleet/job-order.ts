/**
 * A task's place in its BullMQ queue. BullMQ ranks priorities the other way round (1 is the
 * highest, and a job without one goes before every prioritized job), so every job gets one:
 * Weft's priority p (-1000..1000, higher first, default 0) becomes 1001 - p (1..2001).
 */
import type { JobsOptions } from 'bullmq';
import type { ExecuteRequest } from '../executors/executor.js';
import { DEFAULT_PRIORITY, PRIORITY_MAX } from '../pipeline/queue-order.js';

export function bullmqPriority(priority: number | undefined): number {
  return PRIORITY_MAX + 1 - (priority ?? DEFAULT_PRIORITY);
}

/** The job options for a task's priority and delay (recomputed on a re-route, so the delay keeps its end). */
export function jobOrder(req: Pick<ExecuteRequest, 'priority' | 'notBefore'>): Pick<JobsOptions, 'priority' | 'delay'> {
  const delay = req.notBefore === undefined ? 0 : req.notBefore - Date.now();
  return { priority: bullmqPriority(req.priority), ...(delay > 0 ? { delay } : {}) };
}
