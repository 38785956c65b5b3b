/**
 * The runner's side of per-key rates on a fleet: a task whose key has a rate takes its start
 * reservation before it is enqueued, and waits here until it is due. Jobs then reach workers at
 * the rate, instead of waiting in BullMQ's delayed set, whose promotion is late by tens to
 * hundreds of ms under load and, while delayed jobs are pending, makes a BullMQ worker fetch one
 * job at a time. The worker still checks the start atomically (the rate log's window) before the
 * handler runs.
 *
 * A runner's tasks of one key reserve in order, many in one call: a reservation is only placed
 * where a real start opens a place, so while the places of a window are all promised to tasks not
 * started yet, the runner asks again a few times per perMs for the first waiting ones, instead of
 * every task polling Redis. Keys never wait for each other.
 */
import type { ExecuteRequest } from '../executors/executor.js';
import { limitWaitSpan } from '../limits/limit-span.js';
import type { TaskLimit } from '../limits/limit-types.js';
import type { Telemetry } from '../tracing/telemetry.js';
import { sleep } from '../util/abort.js';
import type { RedisLimiter } from './redis-limiter.js';

/**
 * How long before its reserved start a task is enqueued, in ms: about what reaching a worker takes
 * on a busy machine (measured from a job's creation in the runner to its worker's first admission
 * check: 20-50 ms at 1,000 tasks/s on two shared cores), so the job is there when its place opens
 * (the worker waits out the rest, up to LOCAL_RATE_WAIT_MS) rather than starting late, which
 * delays the start anchored on it a window later by as much.
 */
export const RATE_LEAD_MS = 40;
/** The longest the first waiting task of a key waits before asking for a place again, in ms. */
const MAX_ASK_MS = 50;
/** The most reservations one call asks for. */
const BATCH = 200;

interface Waiter {
  readonly requestId: string;
  readonly limit: TaskLimit & { rate: { max: number; perMs: number } };
  /** Its run was cancelled while it waited: skipped, or its reservation given back. */
  cancelled: boolean;
  readonly reserved: (waitMs: number) => void;
  readonly failed: (err: unknown) => void;
}

export class RatePacer {
  /** Per key, the tasks waiting for a reservation, first come first served. */
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(
    private readonly limiter: RedisLimiter,
    private readonly telemetry: Telemetry,
  ) {}

  /** Resolves when the task is to be enqueued: RATE_LEAD_MS before its reserved start (at once when it has no rate). */
  async pace(req: ExecuteRequest, requestId: string): Promise<void> {
    const limit = req.task.limit;
    if (!limit?.rate) return;
    const t0 = performance.now();
    const waitMs = await this.reservation({ ...limit, rate: limit.rate }, requestId, req.signal);
    const waited = performance.now() - t0 + waitMs;
    if (waited >= 1) limitWaitSpan(this.telemetry, req.traceContext, req.task, req.workerId, limit, { ok: false, reason: 'rate', waitMs: Math.round(waited) });
    if (waitMs <= 0) return;
    try {
      await sleep(waitMs, req.signal);
    } catch (err) {
      // Cancelled before it was enqueued: its place goes to the next task.
      this.limiter.unreserve(limit, requestId).catch(() => {});
      throw err;
    }
  }

  /** Queues the task behind its key's other waiting tasks; resolves with the ms until it is to be enqueued. */
  private reservation(limit: Waiter['limit'], requestId: string, signal: AbortSignal): Promise<number> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<number>((resolve, reject) => {
      const onAbort = (): void => {
        waiter.cancelled = true;
        reject(signal.reason);
      };
      const waiter: Waiter = {
        requestId,
        limit,
        cancelled: false,
        reserved: (ms) => (signal.removeEventListener('abort', onAbort), resolve(ms)),
        failed: (err) => (signal.removeEventListener('abort', onAbort), reject(err)),
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const q = this.waiting.get(limit.key);
      if (q) q.push(waiter);
      else {
        this.waiting.set(limit.key, [waiter]);
        void this.pump(limit.key);
      }
    });
  }

  /** Reserves for the key's waiting tasks in order while places are known; asks again when they are not. */
  private async pump(key: string): Promise<void> {
    const q = this.waiting.get(key)!;
    for (;;) {
      let skip = 0;
      while (skip < q.length && q[skip]!.cancelled) skip++;
      if (skip > 0) q.splice(0, skip);
      if (q.length === 0) break;
      // The first waiting tasks, as far as they share one rate (steps may declare different ones for a key).
      const { max, perMs } = q[0]!.limit.rate;
      let n = 1;
      while (n < Math.min(BATCH, q.length) && q[n]!.limit.rate.max === max && q[n]!.limit.rate.perMs === perMs) n++;
      let waitMs: number[];
      try {
        waitMs = (
          await this.limiter.reserve(
            q[0]!.limit,
            q.slice(0, n).map((w) => w.requestId),
            RATE_LEAD_MS,
          )
        ).waitMs;
      } catch (err) {
        for (const w of q.splice(0, n)) if (!w.cancelled) w.failed(err);
        continue;
      }
      // Only this loop takes from the front of the queue, so the first ones are the batch's.
      for (const [i, w] of q.splice(0, waitMs.length).entries()) {
        // Cancelled while it reserved: the place goes back.
        if (w.cancelled) this.limiter.unreserve(w.limit, w.requestId).catch(() => {});
        else w.reserved(waitMs[i]!);
      }
      if (waitMs.length < n) {
        // The next place opens perMs after a reserved task starts, so at least perMs from now: asking
        // again a few times within that reserves each place well before it opens.
        await sleep(Math.min(MAX_ASK_MS, Math.max(1, Math.floor(perMs / 4))));
      }
    }
    this.waiting.delete(key);
  }
}
