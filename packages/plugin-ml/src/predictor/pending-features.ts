/**
 * Feature rows computed at decision time, kept until the task's outcome arrives, so the model
 * learns from what it saw when it chose (not from the worker's state after the task ran).
 */
import { BatchRing, type BatchLease } from '../features/batch-arrays.js';
import { FEATURE_COUNT } from '../features/feature-spec.js';

export interface DecisionFeatures {
  /** Candidate i's id at i, for i < count (a leased id array may be longer). */
  readonly workerIds: readonly string[];
  readonly count: number;
  readonly rows: Float32Array;
  readonly baselines: Float64Array;
  /** Per candidate: the wait for a slot expected at decision time, in ms (0 with a free slot). */
  readonly waits: Float64Array;
  /** Per candidate: the service time expected for this task, in ms (default: the baseline). */
  readonly services?: Float64Array;
  /** Per candidate: the network's duration-ratio output (default 0.5: none). */
  readonly predicted?: Float64Array;
  /** The ring slot the arrays are views of, when they were leased from `lease()`. */
  readonly lease?: Pick<BatchLease, 'slot' | 'generation'>;
}

export interface ChosenFeatures {
  readonly row: Float32Array;
  readonly baseline: number;
  /** The wait for a slot expected at decision time, in ms. */
  readonly expectedWaitMs: number;
  /** The service time expected at decision time, in ms. */
  readonly serviceMs: number;
  /** The network's duration-ratio output at decision time (0.5: none). */
  readonly predicted: number;
}

export class PendingFeatures {
  /** Whole batches awaiting `keepOnly` (the route:after hook follows a decision at once). */
  private readonly undecided = new Map<string, DecisionFeatures>();
  /** The chosen row of each routed decision, awaiting its outcome. */
  private readonly decided = new Map<string, DecisionFeatures>();

  /**
   * `capacity`: routed decisions kept until their outcome; `undecidedCapacity`: whole batches
   * kept until they are routed. Both bounded, so outcomes and routes that never arrive
   * (cancelled runs, a caller that never routes) cannot grow memory, nor hold a batch of rows
   * per decision for long.
   */
  constructor(
    private readonly capacity: number,
    private readonly undecidedCapacity = 256,
    private readonly ring = new BatchRing(undecidedCapacity),
  ) {}

  /** Arrays to encode the next decision into; they stay valid for `undecidedCapacity` decisions. */
  lease(count: number): BatchLease {
    return this.ring.lease(count);
  }

  static key(taskId: string, attempt: number): string {
    return `${taskId}#${attempt}`;
  }

  set(key: string, features: DecisionFeatures): void {
    this.undecided.delete(key);
    this.decided.delete(key);
    if (features.count === 1) bounded(this.decided, this.capacity, key, chosenOnly(features, 0));
    else bounded(this.undecided, this.undecidedCapacity, key, features);
  }

  /**
   * Keeps only the chosen worker's row once the decision is known (saves memory per task);
   * returns the service time expected for it there, when the decision had it as a candidate.
   */
  keepOnly(key: string, workerId: string): number | undefined {
    const f = this.undecided.get(key);
    if (!f) {
      const d = this.decided.get(key);
      return d && d.workerIds[0] === workerId ? serviceOf(d, 0) : undefined;
    }
    this.undecided.delete(key);
    const i = indexOf(f, workerId);
    if (i < 0 || !this.valid(f)) return undefined;
    bounded(this.decided, this.capacity, key, chosenOnly(f, i));
    return serviceOf(f, i);
  }

  /** Removes the decision and returns the chosen worker's row, if it was a candidate. */
  take(key: string, workerId: string): ChosenFeatures | undefined {
    const f = this.decided.get(key) ?? this.undecided.get(key);
    if (!f) return undefined;
    this.decided.delete(key);
    this.undecided.delete(key);
    const i = indexOf(f, workerId);
    if (i < 0 || !this.valid(f)) return undefined;
    return {
      row: f.rows.slice(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT),
      baseline: f.baselines[i]!,
      expectedWaitMs: f.waits[i]!,
      serviceMs: serviceOf(f, i),
      predicted: f.predicted?.[i] ?? 0.5,
    };
  }

  get size(): number {
    return this.decided.size + this.undecided.size;
  }

  /** False when the batch's ring slot was reused by a newer decision. */
  private valid(f: DecisionFeatures): boolean {
    return f.lease === undefined || this.ring.holds(f.lease);
  }
}

/** A copy of candidate i's features, independent of any ring slot. */
function chosenOnly(f: DecisionFeatures, i: number): DecisionFeatures {
  return {
    workerIds: [f.workerIds[i]!],
    count: 1,
    rows: f.rows.slice(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT),
    baselines: Float64Array.of(f.baselines[i]!),
    waits: Float64Array.of(f.waits[i]!),
    services: Float64Array.of(serviceOf(f, i)),
    predicted: Float64Array.of(f.predicted?.[i] ?? 0.5),
  };
}

function serviceOf(f: DecisionFeatures, i: number): number {
  return f.services?.[i] ?? f.baselines[i]!;
}

function indexOf(f: DecisionFeatures, workerId: string): number {
  for (let i = 0; i < f.count; i++) if (f.workerIds[i] === workerId) return i;
  return -1;
}

/** Adds an entry, dropping the oldest beyond `capacity`. */
function bounded(map: Map<string, DecisionFeatures>, capacity: number, key: string, value: DecisionFeatures): void {
  map.set(key, value);
  while (map.size > capacity) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
}
