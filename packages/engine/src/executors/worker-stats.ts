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
  private readonly outcomes: boolean[] = [];
  readonly stats: WorkerStats = { inFlight: 0, ewmaLatencyMs: 0, successRate: 1, completed: 0, failed: 0, recentErrors: [] };

  constructor(options: WorkerStatsOptions = {}) {
    this.alpha = options.ewmaAlpha ?? 0.2;
    this.windowSize = options.window ?? 50;
    this.maxErrors = options.recentErrors ?? 5;
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
    this.outcomes.push(ok);
    if (this.outcomes.length > this.windowSize) this.outcomes.shift();
    s.successRate = this.outcomes.filter(Boolean).length / this.outcomes.length;
  }
}
