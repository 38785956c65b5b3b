/**
 * A worker's AbortSignals per run: every in-flight task of a run shares one controller, which a
 * cancel of the run aborts (and the worker's own shutdown aborts them all). Runs cancelled lately
 * are remembered, so a job of theirs that is still delivered does not start.
 */
import { WeftError } from '../errors.js';

/** How long a cancelled run is remembered, in ms, and how many at most. */
const REMEMBER_MS = 10 * 60_000;
const REMEMBER_MAX = 10_000;

export class RunAborts {
  private readonly runs = new Map<string, { controller: AbortController; tasks: number }>();
  private readonly cancelled = new Map<string, number>();

  constructor(private readonly worker: AbortSignal) {
    worker.addEventListener(
      'abort',
      () => {
        for (const r of this.runs.values()) r.controller.abort(worker.reason);
      },
      { once: true },
    );
  }

  /** The signal of a task of this run starting now; undefined when the run was cancelled. */
  enter(runId: string): AbortSignal | undefined {
    if (this.cancelled.has(runId)) return undefined;
    let r = this.runs.get(runId);
    if (!r) {
      r = { controller: new AbortController(), tasks: 0 };
      if (this.worker.aborted) r.controller.abort(this.worker.reason);
      this.runs.set(runId, r);
    }
    r.tasks++;
    return r.controller.signal;
  }

  leave(runId: string): void {
    const r = this.runs.get(runId);
    if (r && --r.tasks <= 0) this.runs.delete(runId);
  }

  /** Aborts the run's in-flight tasks; returns how many there were. */
  cancel(runId: string): number {
    const now = Date.now();
    for (const [id, at] of this.cancelled) {
      if (now - at < REMEMBER_MS && this.cancelled.size < REMEMBER_MAX) break;
      this.cancelled.delete(id);
    }
    this.cancelled.set(runId, now);
    const r = this.runs.get(runId);
    if (!r) return 0;
    r.controller.abort(new WeftError('WEFT_RUN_CANCELLED', `Run ${runId} was cancelled; its tasks stop.`, { retryable: false, details: { runId } }));
    return r.tasks;
  }

  isCancelled(runId: string): boolean {
    return this.cancelled.has(runId);
  }
}
