/**
 * The worker side of per-key limits on a fleet: before a job takes a worker slot, its task's key
 * must admit it. A job over its limit does not wait in the worker: it goes back to BullMQ's
 * delayed set for the computed wait (`moveToDelayed` + `DelayedError`), so the worker's slots keep
 * serving other keys and one task stays one job.
 */
import { DelayedError, type Job } from 'bullmq';
import type { TaskLimit } from '../limits/limit-types.js';
import { limitWaitSpan } from '../limits/limit-span.js';
import type { Telemetry } from '../tracing/telemetry.js';
import type { JobPayload } from './job-payload.js';
import type { RedisLimiter } from './redis-limiter.js';
import { extractTrace } from './trace-carrier.js';

export class LimitGate {
  constructor(
    private readonly limiter: RedisLimiter,
    private readonly telemetry: Telemetry,
    private readonly workerId: string,
  ) {}

  /**
   * Admits the job under its limit and returns the release; or moves it to delayed and throws
   * BullMQ's DelayedError, which tells the BullMQ worker the job is taken care of.
   */
  async admit(job: Job, token: string | undefined, payload: JobPayload, limit: TaskLimit): Promise<() => Promise<void>> {
    const holder = String(job.id);
    const a = await this.limiter.tryAcquire(limit, holder, payload.requestId);
    if (a.ok) return () => this.limiter.release(limit, holder);
    limitWaitSpan(this.telemetry, extractTrace(payload.trace), payload.task, this.workerId, limit, a);
    await job.moveToDelayed(Date.now() + a.waitMs, token);
    throw new DelayedError();
  }

  close(): void {
    this.limiter.close();
  }
}
