/**
 * What each worker is doing, as this router placed it: the tasks it sent there, with their
 * expected service times, the running ones with the time they started. A worker serves its
 * tasks first in, first out on `concurrency` slots, so a task starts when it is routed to a free
 * slot, or when an earlier task's outcome frees one. From this the expected wait for a slot is
 * played out exactly as the worker would: the running tasks' remaining times, then the queued
 * tasks' expected times, over the slots. The engine's in-flight count covers tasks this router
 * did not place (another runner's): those count as queued work of the worker's typical size.
 */

import { residualMs } from './residual-life.js';

interface Entry {
  readonly key: string;
  readonly estimateMs: number;
  /** NaN while queued. */
  startedAt: number;
}

interface WorkerLedger {
  concurrency: number;
  readonly running: Entry[];
  readonly queue: Entry[];
  /** Sum of the estimates of the entries, for the typical size of an unknown task. */
  estimateSum: number;
}

/** What a worker's state contributes to a decision (and to the network's features). */
export interface WorkerState {
  /** Expected wait until a slot is free for one more task, in ms. */
  waitMs: number;
  /** Tasks running (placed by this router) over slots, capped at 1. */
  runningShare: number;
  /** Mean elapsed / expected time of the running tasks (0 when none). */
  elapsedShare: number;
}

/** Log-variance of actual over estimated service time before outcomes show it: a 25% spread. */
const INITIAL_LOG_VARIANCE = 0.0625;
/** Weight of an outcome in the log-variance. */
const LOG_VARIANCE_ALPHA = 0.02;
/** Entries older than this many estimates (and MIN_STALE_MS) are outcomes that never came. */
const STALE_ESTIMATES = 50;
const MIN_STALE_MS = 60_000;
/** Tasks kept per worker; beyond, the oldest queued go (a worker that never answers). */
const MAX_ENTRIES = 10_000;
const MAX_WORKERS_SEEN = 100_000;

export class WorkLedger {
  private readonly workers = new Map<string, WorkerLedger>();
  /** Slots of workers seen in decisions while they had nothing in the ledger. */
  private readonly slotsSeen = new Map<string, number>();
  private free = new Float64Array(16);
  /** EWMA of ln(actual / estimated service time)², over every finished task that ran in a slot. */
  private logVariance = INITIAL_LOG_VARIANCE;

  /** Records a task placed on `workerId` at `now` with its expected service time; `concurrency` defaults to the slots last seen. */
  assign(workerId: string, concurrency: number | undefined, key: string, estimateMs: number, now: number): void {
    let w = this.workers.get(workerId);
    const slots = Math.max(1, concurrency ?? w?.concurrency ?? this.slotsSeen.get(workerId) ?? 1);
    if (!w) this.workers.set(workerId, (w = { concurrency: slots, running: [], queue: [], estimateSum: 0 }));
    w.concurrency = slots;
    const entry: Entry = { key, estimateMs, startedAt: Number.NaN };
    w.estimateSum += estimateMs;
    w.queue.push(entry);
    this.promote(w, now);
    if (w.running.length + w.queue.length > MAX_ENTRIES) this.drop(w, w.queue.shift() ?? w.running.shift());
  }

  /** Removes a finished task; returns when it started (undefined when unknown or still queued). */
  finish(workerId: string, key: string, now: number): number | undefined {
    const w = this.workers.get(workerId);
    if (!w) return undefined;
    let started: number | undefined;
    let i = w.running.findIndex((e) => e.key === key);
    if (i >= 0) {
      const e = w.running[i]!;
      started = e.startedAt;
      const ratio = (now - started) / e.estimateMs;
      if (ratio > 0 && Number.isFinite(ratio)) {
        const l = Math.log(ratio);
        this.logVariance = LOG_VARIANCE_ALPHA * Math.min(l * l, 4) + (1 - LOG_VARIANCE_ALPHA) * this.logVariance;
      }
      this.drop(w, w.running.splice(i, 1)[0]);
    } else if ((i = w.queue.findIndex((e) => e.key === key)) >= 0) {
      // Finished before this ledger thought it started: the worker had a slot sooner than expected.
      this.drop(w, w.queue.splice(i, 1)[0]);
    }
    this.promote(w, now);
    if (w.running.length === 0 && w.queue.length === 0) this.workers.delete(workerId);
    return started;
  }

  /** Forgets a task placed on `workerId` that will not run there (re-routed or cancelled). */
  forget(workerId: string, key: string, now: number): void {
    this.finish(workerId, key, now);
  }

  /**
   * The worker's state at `now`. `inFlight`: the engine's count of tasks assigned to it and not
   * finished; `typicalMs`: the expected service time of a task this ledger does not know.
   */
  state(workerId: string, concurrency: number, inFlight: number, typicalMs: number, now: number, out: WorkerState): WorkerState {
    const w = this.workers.get(workerId);
    const slots = Math.max(1, concurrency);
    if (w) w.concurrency = slots;
    else if (this.slotsSeen.get(workerId) !== slots) {
      if (this.slotsSeen.size >= MAX_WORKERS_SEEN) this.slotsSeen.clear();
      this.slotsSeen.set(workerId, slots);
    }
    out.waitMs = 0;
    out.runningShare = 0;
    out.elapsedShare = 0;
    const known = w ? w.running.length + w.queue.length : 0;
    if (!w && inFlight < slots) return out;
    if (this.free.length < slots) this.free = new Float64Array(2 ** Math.ceil(Math.log2(slots)));
    const free = this.free;
    // Tasks the engine no longer counts are done (their outcome is on its way): the oldest first.
    let skip = Math.max(0, known - Math.max(inFlight, 0));
    let n = 0;
    let elapsed = 0;
    if (w) {
      for (const e of w.running) {
        if (skip > 0) {
          skip--;
          continue;
        }
        const ran = now - e.startedAt;
        elapsed += ran / Math.max(e.estimateMs, 1e-3);
        if (n < slots) free[n++] = residualMs(e.estimateMs, ran, this.logVariance);
      }
      out.runningShare = Math.min(1, n / slots);
      out.elapsedShare = n > 0 ? Math.min(4, elapsed / n) / 4 : 0;
    }
    while (n < slots) free[n++] = 0;
    free.subarray(0, slots).sort();
    const place = (ms: number): void => {
      // The earliest free slot takes the next task: it frees again after that task's time.
      const t = free[0]! + ms;
      let i = 1;
      while (i < slots && free[i]! < t) {
        free[i - 1] = free[i]!;
        i++;
      }
      free[i - 1] = t;
    };
    if (w) {
      for (const e of w.queue) {
        if (skip > 0) {
          skip--;
          continue;
        }
        place(e.estimateMs);
      }
    }
    // Tasks the engine counts that this router did not place.
    const unknown = Math.max(0, inFlight - known);
    const typical = w && known > 0 ? w.estimateSum / known : typicalMs;
    for (let k = 0; k < unknown; k++) place(typical);
    out.waitMs = free[0]!;
    return out;
  }

  /** Workers with tasks in the ledger (for tests and diagnostics). */
  tasksOf(workerId: string): { running: number; queued: number } {
    const w = this.workers.get(workerId);
    return { running: w?.running.length ?? 0, queued: w?.queue.length ?? 0 };
  }

  /** Drops entries whose outcome is long overdue, so lost tasks do not hold slots forever. */
  prune(now: number): void {
    for (const [id, w] of this.workers) {
      for (let i = w.running.length - 1; i >= 0; i--) {
        const e = w.running[i]!;
        if (now - e.startedAt > Math.max(MIN_STALE_MS, STALE_ESTIMATES * e.estimateMs)) this.drop(w, w.running.splice(i, 1)[0]);
      }
      this.promote(w, now);
      if (w.running.length === 0 && w.queue.length === 0) this.workers.delete(id);
    }
  }

  private promote(w: WorkerLedger, now: number): void {
    while (w.running.length < w.concurrency && w.queue.length > 0) {
      const e = w.queue.shift()!;
      e.startedAt = now;
      w.running.push(e);
    }
  }

  private drop(w: WorkerLedger, e: Entry | undefined): void {
    if (e) w.estimateSum -= e.estimateMs;
  }
}
