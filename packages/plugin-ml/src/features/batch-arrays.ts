/**
 * Reusable typed arrays for encoding decisions: a batch of 100 candidates is 16 KB of rows, and
 * allocating that per decision (off the V8 heap) costs more than the network pass itself. A ring
 * of `slots` sets of arrays is reused in turn; each use bumps the slot's generation, so a holder
 * of an older batch can tell that its arrays now belong to a newer decision.
 */
import { FEATURE_COUNT } from './feature-spec.js';

/** Where encodeBatch writes; every array holds at least `capacity` candidates. */
export interface BatchArrays {
  readonly capacity: number;
  readonly rows: Float32Array;
  /** The same memory as `rows`, as 32-bit integers: copying a float's bits needs no conversion to a double and back. */
  readonly rowBits: Int32Array;
  readonly baselines: Float64Array;
  readonly waits: Float64Array;
  readonly observations: Uint32Array;
  readonly loads: Float64Array;
  /** Per candidate: the service time expected for this task, in ms (the baseline until a model corrects it). */
  readonly services: Float64Array;
  /** Per candidate: the network's duration-ratio output (0.5 without a model). */
  readonly predicted: Float64Array;
  /** Per candidate: its success rate at this type (its overall rate until it has served the type). */
  readonly success: Float64Array;
}

export function batchArrays(capacity: number): BatchArrays {
  const rows = new Float32Array(capacity * FEATURE_COUNT);
  return {
    capacity,
    rows,
    rowBits: new Int32Array(rows.buffer, rows.byteOffset, rows.length),
    baselines: new Float64Array(capacity),
    waits: new Float64Array(capacity),
    observations: new Uint32Array(capacity),
    loads: new Float64Array(capacity),
    services: new Float64Array(capacity),
    predicted: new Float64Array(capacity),
    success: new Float64Array(capacity),
  };
}

/** A lease on one slot of the ring: valid while `ring.holds(lease)`. */
export interface BatchLease {
  readonly slot: number;
  readonly generation: number;
  readonly arrays: BatchArrays;
  /** The candidates' ids, written by the leaseholder; entries from `count` on belong to older batches. */
  readonly workerIds: string[];
}

export class BatchRing {
  private readonly slots: (BatchArrays | undefined)[];
  private readonly workerIds: string[][];
  private readonly generations: number[];
  private next = 0;

  constructor(readonly size: number) {
    this.slots = new Array<BatchArrays | undefined>(size).fill(undefined);
    this.workerIds = Array.from({ length: size }, () => []);
    this.generations = new Array<number>(size).fill(0);
  }

  /** Arrays for `count` candidates, reused from the slot leased `size` decisions ago. */
  lease(count: number): BatchLease {
    const slot = this.next;
    this.next = (this.next + 1) % this.size;
    let arrays = this.slots[slot];
    if (!arrays || arrays.capacity < count) {
      // Grow in powers of two so a fleet that grows reallocates a few times, not on every decision.
      arrays = batchArrays(Math.max(8, 2 ** Math.ceil(Math.log2(count))));
      this.slots[slot] = arrays;
    }
    const generation = ++this.generations[slot]!;
    return { slot, generation, arrays, workerIds: this.workerIds[slot]! };
  }

  /** Whether the lease's arrays still hold its decision's batch. */
  holds(lease: Pick<BatchLease, 'slot' | 'generation'>): boolean {
    return this.generations[lease.slot] === lease.generation;
  }
}
