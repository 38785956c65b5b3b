/** A bounded ring of training samples (feature row + targets); the oldest are overwritten. */
import { FEATURE_COUNT, TYPE_BUCKETS } from '../features/feature-spec.js';
import { OUTPUT_COUNT } from '../model/model-format.js';

/** A contiguous copy of the buffer, ready to transfer to the training thread. */
export interface TrainingSet {
  readonly inputs: Float32Array;
  readonly targets: Float32Array;
  readonly count: number;
  /** Samples per task-type bucket. */
  readonly typeCoverage: number[];
}

export class OutcomeBuffer {
  private readonly inputs: Float32Array;
  private readonly targets: Float32Array;
  private next = 0;
  private filled = 0;
  /** Samples added since the buffer was created (not bounded). */
  total = 0;

  constructor(readonly capacity: number) {
    this.inputs = new Float32Array(capacity * FEATURE_COUNT);
    this.targets = new Float32Array(capacity * OUTPUT_COUNT);
  }

  get size(): number {
    return this.filled;
  }

  add(row: Float32Array, durationTarget: number, success: number): void {
    this.inputs.set(row, this.next * FEATURE_COUNT);
    this.targets[this.next * OUTPUT_COUNT] = durationTarget;
    this.targets[this.next * OUTPUT_COUNT + 1] = success;
    this.next = (this.next + 1) % this.capacity;
    this.filled = Math.min(this.capacity, this.filled + 1);
    this.total++;
  }

  snapshot(): TrainingSet {
    const count = this.filled;
    const typeCoverage = new Array<number>(TYPE_BUCKETS).fill(0);
    for (let i = 0; i < count; i++) {
      for (let b = 0; b < TYPE_BUCKETS; b++) if (this.inputs[i * FEATURE_COUNT + b] === 1) typeCoverage[b]!++;
    }
    return {
      inputs: this.inputs.slice(0, count * FEATURE_COUNT),
      targets: this.targets.slice(0, count * OUTPUT_COUNT),
      count,
      typeCoverage,
    };
  }
}
