/**
 * What each worker is doing, as this router placed it: the tasks it sent there, with their
 * expected service times, the running ones with the time they started. A worker serves its
 * tasks first in, first out on `concurrency` slots, so a task starts when it is routed to a free
 * slot, or when an earlier task's outcome frees one. From this the expected wait for a slot is
 * played out exactly as the worker would: the running tasks' remaining times, then the queued
 * tasks' expected times, over the slots. The engine's in-flight count covers tasks this router
 * did not place (another runner's): those count as queued work of the worker's typical size.
 */

import { residualAtLeast, residualFloorShare, residualMsAt } from './residual-life.js';
import { place, sortAscending } from './slot-play.js';

/**
 * One worker's tasks, oldest first, running and queued: the record that routes and outcomes
 * change. The running tasks' numbers are kept interleaved (RUN_STRIDE per task). A decision reads
 * the same numbers from the worker's row of the ledger's hot table (see HOT_STRIDE).
 */
interface WorkerLedger {
  /** The worker's row in the hot table. */
  readonly row: number;
  concurrency: number;
  readonly runKeys: string[];
  /** Per running task: its estimate, its start time and ln max(estimate, 1e-9) (for lognormalResidualMs). */
  readonly run: number[];
  readonly queueKeys: string[];
  readonly queueEstimates: number[];
  /** Sum of the estimates of the tasks, for the typical size of an unknown task. */
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
/** A running task's numbers in WorkerLedger.run: estimate, then START, then LOG_ESTIMATE. */
const RUN_STRIDE = 3;
const START = 1;
const LOG_ESTIMATE = 2;
/**
 * A worker's row in the hot table: its slots, running and queued counts, estimate sum, then its
 * running tasks (RUN_STRIDE numbers each) and its queued tasks' estimates, HOT_STRIDE numbers in
 * all. A decision reads every candidate's row: one lookup and one run of memory per candidate,
 * where the record was a Map entry, an object and three arrays that the work between decisions
 * had pushed out of the caches. A worker whose tasks do not fit is marked (HOT_RUNNING < 0) and
 * read from its record, copied into a scratch row of the same layout.
 */
const HOT_STRIDE = 32;
const HOT_SLOTS = 0;
const HOT_RUNNING = 1;
const HOT_QUEUED = 2;
const HOT_SUM = 3;
const HOT_TASKS = 4;

export class WorkLedger {
  /**
   * Every worker seen, by id: its row, in the hot table and in `records` (its tasks, and its slots
   * as last seen, kept while it has no tasks for the next task placed without a concurrency). One
   * lookup per candidate of a decision.
   */
  private readonly rows = new Map<string, number>();
  /** Row r's record (undefined: a free row). */
  private readonly records: (WorkerLedger | undefined)[] = [];
  private readonly freeRows: number[] = [];
  private hot = new Float64Array(16 * HOT_STRIDE);
  /** A worker whose tasks do not fit in its hot row is copied here when a decision reads it. */
  private overflow = new Float64Array(HOT_STRIDE);
  private free = new Float64Array(16);
  /** EWMA of ln(actual / estimated service time)², over every finished task that ran in a slot. */
  private logVariance = INITIAL_LOG_VARIANCE;
  /** √logVariance, the lognormal σ of a running task's remaining time: updated with it, not per task. */
  private sigma = Math.sqrt(INITIAL_LOG_VARIANCE);

  /** Records a task placed on `workerId` at `now` with its expected service time; `concurrency` defaults to the slots last seen. */
  assign(workerId: string, concurrency: number | undefined, key: string, estimateMs: number, now: number): void {
    const seen = this.recordOf(workerId);
    const slots = Math.max(1, concurrency ?? seen?.concurrency ?? 1);
    const w = seen ?? this.add(workerId, slots);
    w.concurrency = slots;
    w.estimateSum += estimateMs;
    w.queueKeys.push(key);
    w.queueEstimates.push(estimateMs);
    this.promote(w, now);
    if (w.runKeys.length + w.queueKeys.length > MAX_ENTRIES) {
      if (w.queueKeys.length > 0) {
        w.queueKeys.shift();
        w.estimateSum -= w.queueEstimates.shift()!;
      } else this.dropRunning(w, 0);
    }
    this.writeHot(w);
  }

  /** Removes a finished task; returns when it started (undefined when unknown or still queued). */
  finish(workerId: string, key: string, now: number): number | undefined {
    const w = this.recordOf(workerId);
    if (!w) return undefined;
    let started: number | undefined;
    let i = w.runKeys.indexOf(key);
    if (i >= 0) {
      started = w.run[i * RUN_STRIDE + START]!;
      const ratio = (now - started) / w.run[i * RUN_STRIDE]!;
      if (ratio > 0 && Number.isFinite(ratio)) {
        const l = Math.log(ratio);
        this.logVariance = LOG_VARIANCE_ALPHA * Math.min(l * l, 4) + (1 - LOG_VARIANCE_ALPHA) * this.logVariance;
        this.sigma = Math.sqrt(Math.max(this.logVariance, 0));
      }
      this.dropRunning(w, i);
    } else if ((i = w.queueKeys.indexOf(key)) >= 0) {
      // Finished before this ledger thought it started: the worker had a slot sooner than expected.
      w.queueKeys.splice(i, 1);
      w.estimateSum -= w.queueEstimates.splice(i, 1)[0]!;
    }
    this.promote(w, now);
    this.writeHot(w);
    return started;
  }

  /** Forgets a task placed on `workerId` that will not run there (re-routed or cancelled). */
  forget(workerId: string, key: string, now: number): void {
    this.finish(workerId, key, now);
  }

  /**
   * The worker's state at `now`. `inFlight`: the engine's count of tasks assigned to it and not
   * finished; `typicalMs`: the expected service time of a task this ledger does not know.
   * Allocates nothing once the worker has been seen: it runs for every candidate of a decision.
   */
  state(workerId: string, concurrency: number, inFlight: number, typicalMs: number, now: number, out: WorkerState): WorkerState {
    return this.read(workerId, concurrency, inFlight, typicalMs, now, out, true);
  }

  /**
   * A lower bound of state(…).waitMs, without the remaining times' transcendental functions: a
   * running task's remaining time is taken as its estimate less its elapsed time, or the least
   * share of it that its mean residual life ever comes to, whichever is more (residualAtLeast).
   */
  waitAtLeast(workerId: string, concurrency: number, inFlight: number, typicalMs: number, now: number, out: WorkerState): number {
    return this.read(workerId, concurrency, inFlight, typicalMs, now, out, false).waitMs;
  }

  private read(workerId: string, concurrency: number, inFlight: number, typicalMs: number, now: number, out: WorkerState, exact: boolean): WorkerState {
    const slots = Math.max(1, concurrency);
    let row = this.rows.get(workerId);
    if (row === undefined) row = this.add(workerId, slots).row;
    let h: Float64Array = this.hot;
    let at = row * HOT_STRIDE;
    if (h[at + HOT_SLOTS] !== slots) {
      this.records[row]!.concurrency = slots;
      h[at + HOT_SLOTS] = slots;
    }
    if (h[at + HOT_RUNNING]! < 0) {
      // Too many tasks for the row: the record, copied into a row of the same layout.
      h = this.overflowRow(this.records[row]!);
      at = 0;
    }
    out.waitMs = 0;
    out.runningShare = 0;
    out.elapsedShare = 0;
    const running = h[at + HOT_RUNNING]!;
    const queuedCount = h[at + HOT_QUEUED]!;
    const known = running + queuedCount;
    if (known === 0 && inFlight < slots) return out;
    // Running task i's numbers start at run + i * RUN_STRIDE; queued task i's estimate is at queued + i.
    const run = at + HOT_TASKS;
    const queued = run + running * RUN_STRIDE;
    // Tasks the engine no longer counts are done (their outcome is on its way): the oldest first.
    const skip = Math.max(0, known - Math.max(inFlight, 0));
    const skipRunning = Math.min(skip, running);
    const skipQueued = skip - skipRunning;
    // The running tasks that hold a slot: their share and elapsed time first, without their
    // remaining times, which only matter when the tasks to place outnumber the free slots.
    let n = 0;
    let elapsed = 0;
    let sure = true;
    for (let i = skipRunning; i < running; i++) {
      const estimate = h[run + i * RUN_STRIDE]!;
      elapsed += (now - h[run + i * RUN_STRIDE + START]!) / Math.max(estimate, 1e-3);
      if (n < slots) {
        n++;
        // A negative (or NaN) estimate could sort before the free slots: then play it out.
        if (!(estimate >= 0)) sure = false;
      }
    }
    if (known > 0) {
      out.runningShare = Math.min(1, n / slots);
      out.elapsedShare = n > 0 ? Math.min(4, elapsed / n) / 4 : 0;
    }
    // Tasks the engine counts that this router did not place.
    const unknown = Math.max(0, inFlight - known);
    const typical = known > 0 ? h[at + HOT_SUM]! / known : typicalMs;
    if (sure && queuedCount - skipQueued + unknown < slots - n && (unknown === 0 || typical >= 0)) {
      let nonNegative = true;
      for (let i = skipQueued; i < queuedCount; i++) if (!(h[queued + i]! >= 0)) nonNegative = false;
      // Fewer tasks to place than free slots: one stays free, the wait is 0 whatever the running
      // tasks still need (what playing it out below would give, without their remaining times).
      if (nonNegative) return out;
    }
    if (this.free.length < slots) this.free = new Float64Array(2 ** Math.ceil(Math.log2(slots)));
    const free = this.free;
    const floor = exact ? 0 : residualFloorShare(this.sigma);
    n = 0;
    for (let i = skipRunning; i < running && n < slots; i++) {
      const t = run + i * RUN_STRIDE;
      free[n++] = exact ? residualMsAt(h[t]!, now - h[t + START]!, this.sigma, h[t + LOG_ESTIMATE]) : residualAtLeast(h[t]!, now - h[t + START]!, floor);
    }
    while (n < slots) free[n++] = 0;
    sortAscending(free, slots);
    for (let i = skipQueued; i < queuedCount; i++) place(free, slots, h[queued + i]!);
    for (let k = 0; k < unknown; k++) place(free, slots, typical);
    out.waitMs = free[0]!;
    return out;
  }

  /** Workers with tasks in the ledger (for tests and diagnostics). */
  tasksOf(workerId: string): { running: number; queued: number } {
    const w = this.recordOf(workerId);
    return { running: w?.runKeys.length ?? 0, queued: w?.queueKeys.length ?? 0 };
  }

  /** Drops entries whose outcome is long overdue, so lost tasks do not hold slots forever. */
  prune(now: number): void {
    for (const w of this.records) {
      if (!w) continue;
      for (let i = w.runKeys.length - 1; i >= 0; i--) {
        const estimate = w.run[i * RUN_STRIDE]!;
        if (now - w.run[i * RUN_STRIDE + START]! > Math.max(MIN_STALE_MS, STALE_ESTIMATES * estimate)) this.dropRunning(w, i);
      }
      this.promote(w, now);
      this.writeHot(w);
    }
  }

  private recordOf(workerId: string): WorkerLedger | undefined {
    const row = this.rows.get(workerId);
    return row === undefined ? undefined : this.records[row];
  }

  private add(workerId: string, slots: number): WorkerLedger {
    // Bounded: beyond MAX_WORKERS_SEEN, the workers with no task here are forgotten (their slots too).
    if (this.rows.size >= MAX_WORKERS_SEEN)
      for (const [id, row] of this.rows) {
        const w = this.records[row]!;
        if (w.runKeys.length + w.queueKeys.length > 0) continue;
        this.rows.delete(id);
        this.records[row] = undefined;
        this.freeRows.push(row);
      }
    const row = this.freeRows.pop() ?? this.records.length;
    if ((row + 1) * HOT_STRIDE > this.hot.length) {
      const grown = new Float64Array(this.hot.length * 2);
      grown.set(this.hot);
      this.hot = grown;
    }
    const w: WorkerLedger = { row, concurrency: slots, runKeys: [], run: [], queueKeys: [], queueEstimates: [], estimateSum: 0 };
    this.records[row] = w;
    this.rows.set(workerId, row);
    this.writeHot(w);
    return w;
  }

  /** Copies a worker's record into its hot row (marked as not fitting when its tasks do not fit). */
  private writeHot(w: WorkerLedger): void {
    const at = w.row * HOT_STRIDE;
    if (!writeRow(w, this.hot, at, HOT_STRIDE)) this.hot[at + HOT_RUNNING] = -1;
  }

  private overflowRow(w: WorkerLedger): Float64Array {
    const size = HOT_TASKS + w.run.length + w.queueEstimates.length;
    if (this.overflow.length < size) this.overflow = new Float64Array(2 ** Math.ceil(Math.log2(size)));
    writeRow(w, this.overflow, 0, this.overflow.length);
    return this.overflow;
  }

  private promote(w: WorkerLedger, now: number): void {
    while (w.runKeys.length < w.concurrency && w.queueKeys.length > 0) {
      const estimate = w.queueEstimates.shift()!;
      w.runKeys.push(w.queueKeys.shift()!);
      w.run.push(estimate, now, Math.log(Math.max(estimate, 1e-9)));
    }
  }

  private dropRunning(w: WorkerLedger, i: number): void {
    w.runKeys.splice(i, 1);
    w.estimateSum -= w.run[i * RUN_STRIDE]!;
    w.run.splice(i * RUN_STRIDE, RUN_STRIDE);
  }
}

/** Writes a record in the hot layout at `at`; false (the slots and sum written, not the tasks) when it needs more than `room` numbers. */
function writeRow(w: WorkerLedger, out: Float64Array, at: number, room: number): boolean {
  out[at + HOT_SLOTS] = w.concurrency;
  out[at + HOT_SUM] = w.estimateSum;
  const run = w.run;
  const queued = w.queueEstimates;
  if (HOT_TASKS + run.length + queued.length > room) return false;
  out[at + HOT_RUNNING] = run.length / RUN_STRIDE;
  out[at + HOT_QUEUED] = queued.length;
  let o = at + HOT_TASKS;
  for (let i = 0; i < run.length; i++) out[o++] = run[i]!;
  for (let i = 0; i < queued.length; i++) out[o++] = queued[i]!;
  return true;
}
