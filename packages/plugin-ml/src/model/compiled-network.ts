/**
 * A brain.js sigmoid network compiled into flat Float32Arrays and run over a whole batch of
 * candidates at once: the same arithmetic as NeuralNetwork.run, without its per-call overhead,
 * and without loading brain.js on the dispatch path.
 */
import type { NetworkJson } from './model-format.js';

export class CompiledNetwork {
  private readonly sizes: readonly number[];
  /** Per layer l ≥ 1: weights row-major [node][input]. */
  private readonly weights: Float32Array[] = [];
  private readonly biases: Float32Array[] = [];
  private scratch: Float32Array[] = [];
  private scratchRows = 0;

  constructor(net: NetworkJson) {
    this.sizes = [...net.sizes];
    for (let l = 1; l < this.sizes.length; l++) {
      const layer = net.layers[l]!;
      const inputs = this.sizes[l - 1]!;
      const w = new Float32Array(this.sizes[l]! * inputs);
      layer.weights.forEach((row, node) => w.set(row, node * inputs));
      this.weights.push(w);
      this.biases.push(Float32Array.from(layer.biases));
    }
  }

  get inputSize(): number {
    return this.sizes[0]!;
  }

  get outputSize(): number {
    return this.sizes[this.sizes.length - 1]!;
  }

  /**
   * Runs `rows` inputs laid out row-major in `input`; returns rows × outputSize values. The
   * first `sharedPrefix` inputs must be equal in every row (the task's features): their share
   * of the first layer is computed once for the batch. The returned array is reused by the
   * next call: read it before running again.
   */
  runBatch(input: Float32Array, rows: number, sharedPrefix = 0): Float32Array {
    if (rows > this.scratchRows) {
      this.scratch = this.sizes.slice(1).map((s) => new Float32Array(s * rows));
      this.scratchRows = rows;
    }
    let prev = input;
    for (let l = 1; l < this.sizes.length; l++) {
      const inSize = this.sizes[l - 1]!;
      const outSize = this.sizes[l]!;
      const w = this.weights[l - 1]!;
      const b = this.biases[l - 1]!;
      const out = this.scratch[l - 1]!;
      const from = l === 1 ? sharedPrefix : 0;
      const start = l === 1 && sharedPrefix > 0 ? this.prefixSums(input, sharedPrefix) : b;
      for (let r = 0; r < rows; r++) {
        const inBase = r * inSize;
        const outBase = r * outSize;
        for (let node = 0; node < outSize; node++) {
          let sum = start[node]!;
          const wBase = node * inSize;
          for (let k = from; k < inSize; k++) sum += w[wBase + k]! * prev[inBase + k]!;
          out[outBase + node] = 1 / (1 + Math.exp(-sum));
        }
      }
      prev = out;
    }
    return prev;
  }

  /** Bias plus the shared inputs' contribution, per first-layer node. */
  private prefixSums(input: Float32Array, prefix: number): Float32Array {
    const inSize = this.sizes[0]!;
    const w = this.weights[0]!;
    const b = this.biases[0]!;
    const sums = new Float32Array(b.length);
    for (let node = 0; node < b.length; node++) {
      let sum = b[node]!;
      for (let k = 0; k < prefix; k++) sum += w[node * inSize + k]! * input[k]!;
      sums[node] = sum;
    }
    return sums;
  }
}
