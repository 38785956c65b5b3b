/**
 * A brain.js sigmoid network compiled into flat Float64Arrays and run over a whole batch of
 * candidates at once: the same arithmetic as NeuralNetwork.run, without its per-call overhead,
 * and without loading brain.js on the dispatch path.
 */
import type { NetworkJson } from './model-format.js';

export class CompiledNetwork {
  private readonly sizes: readonly number[];
  /** Per layer l ≥ 1: weights row-major [node][input]. */
  private readonly weights: Float64Array[] = [];
  private readonly biases: Float64Array[] = [];
  private scratch: Float64Array[] = [];
  private scratchRows = 0;

  constructor(net: NetworkJson) {
    this.sizes = [...net.sizes];
    for (let l = 1; l < this.sizes.length; l++) {
      const layer = net.layers[l]!;
      const inputs = this.sizes[l - 1]!;
      const w = new Float64Array(this.sizes[l]! * inputs);
      layer.weights.forEach((row, node) => w.set(row, node * inputs));
      this.weights.push(w);
      this.biases.push(Float64Array.from(layer.biases));
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
  runBatch(input: Float32Array, rows: number, sharedPrefix = 0): Float64Array {
    if (rows > this.scratchRows) {
      this.scratch = this.sizes.slice(1).map((s) => new Float64Array(s * rows));
      this.scratchRows = rows;
    }
    const first = sharedPrefix > 0 ? this.prefixSums(input, sharedPrefix) : this.biases[0]!;
    layer(input, rows, this.sizes[0]!, this.sizes[1]!, this.weights[0]!, first, sharedPrefix, this.scratch[0]!);
    // Two loops of one array type each: V8 keeps both monomorphic.
    for (let l = 2; l < this.sizes.length; l++) {
      hiddenLayer(this.scratch[l - 2]!, rows, this.sizes[l - 1]!, this.sizes[l]!, this.weights[l - 1]!, this.biases[l - 1]!, this.scratch[l - 1]!);
    }
    return this.scratch[this.sizes.length - 2]!;
  }

  /** Bias plus the shared inputs' contribution, per first-layer node. */
  private prefixSums(input: Float32Array, prefix: number): Float64Array {
    const inSize = this.sizes[0]!;
    const w = this.weights[0]!;
    const b = this.biases[0]!;
    const sums = new Float64Array(b.length);
    for (let node = 0; node < b.length; node++) {
      let sum = b[node]!;
      for (let k = 0; k < prefix; k++) sum += w[node * inSize + k]! * input[k]!;
      sums[node] = sum;
    }
    return sums;
  }
}

function layer(prev: Float32Array, rows: number, inSize: number, outSize: number, w: Float64Array, start: Float64Array, from: number, out: Float64Array): void {
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
}

function hiddenLayer(prev: Float64Array, rows: number, inSize: number, outSize: number, w: Float64Array, b: Float64Array, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const inBase = r * inSize;
    const outBase = r * outSize;
    for (let node = 0; node < outSize; node++) {
      let sum = b[node]!;
      const wBase = node * inSize;
      for (let k = 0; k < inSize; k++) sum += w[wBase + k]! * prev[inBase + k]!;
      out[outBase + node] = 1 / (1 + Math.exp(-sum));
    }
  }
}
