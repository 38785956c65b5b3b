/**
 * The worker side of per-key limits on a fleet: before a job takes a worker slot, its task's key
 * must admit it. A job whose rate place opens within a few ms (it came a little early, or a little
 * after another task's late start) waits for it here; any other job over its limit does not wait in
 * the worker: it goes back to BullMQ's delayed set for the computed wait (`moveToDelayed` +
 * `DelayedError`), so the worker's slots keep serving other keys and one task stays one job.
 */
import { DelayedError, type Job } from 'bullmq';
import type { Admission, TaskLimit } from '../limits/limit-types.js';
import { limitWaitSpan } from '../limits/limit-span.js';
import type { Telemetry } from '../tracing/telemetry.js';
import { sleep } from '../util/abort.js';
import type { JobPayload } from './job-payload.js';
import type { RedisLimiter } from './redis-limiter.js';
import { extractTrace } from './trace-carrier.js';

/**
 * The longest a job waits in the worker for its rate place, in ms. A trip through BullMQ's
 * delayed set costs its promotion latency (tens of ms under load) and a fetch; a shorter wait
 * costs one of the worker's BullMQ processors for that long, and holds no slot.
 */
export const LOCAL_RATE_WAIT_MS = 60;

export class LimitGate {
  /** Jobs waiting here for their rate place: at most half the worker's processors, so other keys' jobs are still fetched. */
  private waiting = 0;
  private readonly maxWaiting: number;

  constructor(
    private readonly limiter: RedisLimiter,
    private readonly telemetry: Telemetry,
    private readonly workerId: string,
    concurrency: number,
  ) {
    this.maxWaiting = Math.max(1, Math.floor(concurrency / 2));
  }

  /**
   * Admits the job under its limit and returns the release; or moves it to delayed and throws
   * BullMQ's DelayedError, which tells the BullMQ worker the job is taken care of.
   */
  async admit(job: Job, token: string | undefined, payload: JobPayload, limit: TaskLimit): Promise<() => Promise<void>> {
    const holder = String(job.id);
    let a: Admission = await this.limiter.tryAcquire(limit, holder, payload.requestId);
    while (!a.ok && a.reason === 'rate' && a.waitMs <= LOCAL_RATE_WAIT_MS && this.waiting < this.maxWaiting) {
      this.waiting++;
      try {
        await sleep(a.waitMs);
      } finally {
        this.waiting--;
      }
      a = await this.limiter.tryAcquire(limit, holder, payload.requestId);
    }
    if (a.ok) return () => this.limiter.release(limit, holder);
    if (a.reason === 'rate') {
      // It starts later than planned: its place in the plan goes to the runners' next tasks.
      await this.limiter.unreserve(limit, payload.requestId).catch(() => {});
    }
    limitWaitSpan(this.telemetry, extractTrace(payload.trace), payload.task, this.workerId, limit, a);
    await job.moveToDelayed(Date.now() + a.waitMs, token);
    throw new DelayedError();
  }

  close(): void {
    this.limiter.close();
  }
}
