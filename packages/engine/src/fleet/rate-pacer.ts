/**
 * The runner's side of per-key rates on a fleet: a task whose key has a rate takes its start
 * reservation before it is enqueued, and waits here until it is due. Jobs then reach workers at
 * the rate, instead of waiting in BullMQ's delayed set, whose promotion is late by tens to
 * hundreds of ms under load and, while delayed jobs are pending, makes a BullMQ worker fetch one
 * job at a time. The worker still checks (and takes) the reservation atomically before the
 * handler runs.
 */
import type { ExecuteRequest } from '../executors/executor.js';
import { limitWaitSpan } from '../limits/limit-span.js';
import type { Telemetry } from '../tracing/telemetry.js';
import { sleep } from '../util/abort.js';
import type { RedisLimiter } from './redis-limiter.js';

export class RatePacer {
  constructor(
    private readonly limiter: RedisLimiter,
    private readonly telemetry: Telemetry,
  ) {}

  /** Resolves when the task's rate reservation is due (at once when it has no rate). */
  async pace(req: ExecuteRequest, requestId: string): Promise<void> {
    const limit = req.task.limit;
    if (!limit?.rate) return;
    const waitMs = await this.limiter.reserve({ ...limit, rate: limit.rate }, requestId);
    if (waitMs <= 0) return;
    limitWaitSpan(this.telemetry, req.traceContext, req.task, req.workerId, limit, { ok: false, reason: 'rate', waitMs });
    await sleep(waitMs, req.signal);
  }
}
