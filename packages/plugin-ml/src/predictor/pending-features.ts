/**
 * Feature rows computed at decision time, kept until the task's outcome arrives, so the model
 * learns from what it saw when it chose (not from the worker's state after the task ran).
 */
import { FEATURE_COUNT } from '../features/feature-spec.js';

export interface DecisionFeatures {
  readonly workerIds: readonly string[];
  readonly rows: Float32Array;
  readonly baselines: Float64Array;
  /** Per candidate: the wait for a slot expected at decision time, in ms (0 with a free slot). */
  readonly waits: Float64Array;
}

export interface ChosenFeatures {
  readonly row: Float32Array;
  readonly baseline: number;
  /** The wait for a slot expected at decision time, in ms. */
  readonly expectedWaitMs: number;
}

export class PendingFeatures {
  private readonly entries = new Map<string, DecisionFeatures>();

  constructor(private readonly capacity: number) {}

  static key(taskId: string, attempt: number): string {
    return `${taskId}#${attempt}`;
  }

  set(key: string, features: DecisionFeatures): void {
    this.entries.delete(key);
    this.entries.set(key, features);
    // Outcomes that never arrive (cancelled runs) must not grow the map without bound.
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** Keeps only the chosen worker's row once the decision is known (saves memory per task). */
  keepOnly(key: string, workerId: string): void {
    const f = this.entries.get(key);
    if (!f || f.workerIds.length === 1) return;
    const i = f.workerIds.indexOf(workerId);
    if (i < 0) {
      this.entries.delete(key);
      return;
    }
    this.entries.set(key, {
      workerIds: [workerId],
      rows: f.rows.slice(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT),
      baselines: Float64Array.of(f.baselines[i]!),
      waits: Float64Array.of(f.waits[i]!),
    });
  }

  /** Removes the decision and returns the chosen worker's row, if it was a candidate. */
  take(key: string, workerId: string): ChosenFeatures | undefined {
    const f = this.entries.get(key);
    if (!f) return undefined;
    this.entries.delete(key);
    const i = f.workerIds.indexOf(workerId);
    if (i < 0) return undefined;
    return { row: f.rows.slice(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT), baseline: f.baselines[i]!, expectedWaitMs: f.waits[i]! };
  }

  get size(): number {
    return this.entries.size;
  }
}
