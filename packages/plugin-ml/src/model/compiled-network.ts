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
  /** Per first-layer node: bias plus the contribution of the inputs equal in every row of the batch. */
  private readonly shared: Float64Array;
  /** The input columns that differ between rows of the current batch. */
  private readonly varying: Int32Array;
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
    this.shared = new Float64Array(this.sizes[1]!);
    this.varying = new Int32Array(this.sizes[0]!);
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
   * of the first layer is computed once for the batch, as is the share of any other input that
   * happens to be equal in every row (a batch size, workers alike in capabilities). The
   * returned array is reused by the next call: read it before running again.
   */
  runBatch(input: Float32Array, rows: number, sharedPrefix = 0): Float64Array {
    if (rows > this.scratchRows) {
      this.scratch = this.sizes.slice(1).map((s) => new Float64Array(s * rows));
      this.scratchRows = rows;
    }
    const varying = this.sharedSums(input, rows, sharedPrefix);
    firstLayer(input, rows, this.sizes[0]!, this.sizes[1]!, this.weights[0]!, this.shared, this.varying, varying, this.scratch[0]!);
    // Two loops of one array type each: V8 keeps both monomorphic.
    for (let l = 2; l < this.sizes.length; l++) {
      hiddenLayer(this.scratch[l - 2]!, rows, this.sizes[l - 1]!, this.sizes[l]!, this.weights[l - 1]!, this.biases[l - 1]!, this.scratch[l - 1]!);
    }
    return this.scratch[this.sizes.length - 2]!;
  }

  /** Fills `shared` with the bias and the equal columns' contribution; lists the others in `varying`; returns their count. */
  private sharedSums(input: Float32Array, rows: number, sharedPrefix: number): number {
    const inSize = this.sizes[0]!;
    const w = this.weights[0]!;
    const shared = this.shared;
    shared.set(this.biases[0]!);
    let count = 0;
    for (let k = 0; k < inSize; k++) {
      const x = input[k]!;
      let equal = true;
      if (k >= sharedPrefix) {
        for (let r = 1; r < rows; r++) {
          if (input[r * inSize + k] !== x) {
            equal = false;
            break;
          }
        }
      }
      if (!equal) this.varying[count++] = k;
      else if (x !== 0) for (let node = 0; node < shared.length; node++) shared[node] = shared[node]! + w[node * inSize + k]! * x;
    }
    return count;
  }
}

/**
 * The first layer over the varying columns only, four nodes at a time so that their sums stay
 * in registers while a row's inputs are read once per group.
 */
function firstLayer(input: Float32Array, rows: number, inSize: number, outSize: number, w: Float64Array, shared: Float64Array, cols: Int32Array, nCols: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const inBase = r * inSize;
    const outBase = r * outSize;
    let node = 0;
    for (; node + 4 <= outSize; node += 4) {
      const w0 = node * inSize;
      const w1 = w0 + inSize;
      const w2 = w1 + inSize;
      const w3 = w2 + inSize;
      let s0 = shared[node]!;
      let s1 = shared[node + 1]!;
      let s2 = shared[node + 2]!;
      let s3 = shared[node + 3]!;
      for (let j = 0; j < nCols; j++) {
        const k = cols[j]!;
        const x = input[inBase + k]!;
        s0 += w[w0 + k]! * x;
        s1 += w[w1 + k]! * x;
        s2 += w[w2 + k]! * x;
        s3 += w[w3 + k]! * x;
      }
      out[outBase + node] = sigmoid(s0);
      out[outBase + node + 1] = sigmoid(s1);
      out[outBase + node + 2] = sigmoid(s2);
      out[outBase + node + 3] = sigmoid(s3);
    }
    for (; node < outSize; node++) {
      const wBase = node * inSize;
      let sum = shared[node]!;
      for (let j = 0; j < nCols; j++) {
        const k = cols[j]!;
        sum += w[wBase + k]! * input[inBase + k]!;
      }
      out[outBase + node] = sigmoid(sum);
    }
  }
}

const POW2_BIAS = 64;
/** 2^k for k in [-64, 64]. */
const POW2 = Float64Array.from({ length: 2 * POW2_BIAS + 1 }, (_, i) => 2 ** (i - POW2_BIAS));

/**
 * 1 / (1 + e^-z) without Math.exp, which is most of a pass's cost: e^x = 2^k · e^r with k the
 * nearest integer to x / ln 2 and |r| ≤ ln 2 / 2, e^r by its Taylor series to r^9 (relative
 * error below 1e-10, far under the float32 precision brain.js trains in). Beyond |z| = 40 the
 * result is 0 or 1 to double precision anyway.
 */
function sigmoid(z: number): number {
  const x = z > 40 ? -40 : z < -40 ? 40 : -z;
  const k = Math.round(x * Math.LOG2E);
  const r = x - k * Math.LN2;
  const er = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040 + r * (1 / 40320 + r / 362880))))))));
  return 1 / (1 + er * POW2[k + POW2_BIAS]!);
}

function hiddenLayer(prev: Float64Array, rows: number, inSize: number, outSize: number, w: Float64Array, b: Float64Array, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const inBase = r * inSize;
    const outBase = r * outSize;
    for (let node = 0; node < outSize; node++) {
      let sum = b[node]!;
      const wBase = node * inSize;
      for (let k = 0; k < inSize; k++) sum += w[wBase + k]! * prev[inBase + k]!;
      out[outBase + node] = sigmoid(sum);
    }
  }
}
