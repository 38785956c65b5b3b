/** Live stats of one worker: in flight, EWMA latency, windowed success rate, recent errors. */
import type { WorkerStats } from '../contracts/worker.js';

export interface WorkerStatsOptions {
  /** Weight of the newest duration in the EWMA. Default 0.2. */
  ewmaAlpha?: number;
  /** Outcomes in the success-rate window. Default 50. */
  window?: number;
  /** Errors kept. Default 5. */
  recentErrors?: number;
}

export class WorkerStatsTracker {
  private readonly alpha: number;
  private readonly windowSize: number;
  private readonly maxErrors: number;
  /** The window's outcomes as a ring (1 success, 0 failure), and how many of them succeeded. */
  private readonly outcomes: Uint8Array;
  private filled = 0;
  private next = 0;
  private successes = 0;
  readonly stats: WorkerStats = { inFlight: 0, ewmaLatencyMs: 0, successRate: 1, completed: 0, failed: 0, recentErrors: [] };

  constructor(options: WorkerStatsOptions = {}) {
    this.alpha = options.ewmaAlpha ?? 0.2;
    this.windowSize = options.window ?? 50;
    this.maxErrors = options.recentErrors ?? 5;
    this.outcomes = new Uint8Array(Math.max(1, this.windowSize));
  }

  started(): void {
    this.stats.inFlight++;
  }

  finished(ok: boolean, durationMs: number, error?: string): void {
    this.stats.inFlight = Math.max(0, this.stats.inFlight - 1);
    const s = this.stats;
    s.ewmaLatencyMs = s.completed + s.failed === 0 ? durationMs : this.alpha * durationMs + (1 - this.alpha) * s.ewmaLatencyMs;
    if (ok) s.completed++;
    else {
      s.failed++;
      if (error) {
        s.recentErrors.push(error.slice(0, 200));
        if (s.recentErrors.length > this.maxErrors) s.recentErrors.shift();
      }
    }
    // A ring and a running count: a worker's hot path finishes thousands of tasks a second, and
    // neither allocates nor rescans the window per task.
    if (this.filled === this.outcomes.length) this.successes -= this.outcomes[this.next]!;
    else this.filled++;
    this.outcomes[this.next] = ok ? 1 : 0;
    this.successes += ok ? 1 : 0;
    this.next = (this.next + 1) % this.outcomes.length;
    s.successRate = this.successes / this.filled;
  }
}
