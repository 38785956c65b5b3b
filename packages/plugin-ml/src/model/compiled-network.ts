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
  /** The first layer's weights of the varying columns only, [node][varying column], for the current batch. */
  private readonly packed: Float64Array;
  /** Two rows' varying inputs, read from the Float32 rows once instead of once per group of nodes. */
  private readonly gathered: Float64Array;
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
    this.packed = new Float64Array(this.sizes[1]! * this.sizes[0]!);
    this.gathered = new Float64Array(2 * this.sizes[0]!);
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
   * returned array is reused by the next call: read it before running again. `outputs`: how many
   * of the last layer's nodes to compute (the first ones; a caller that reads only the duration
   * output skips the others); each row keeps outputSize places, the ones skipped hold stale values.
   */
  runBatch(input: Float32Array, rows: number, sharedPrefix = 0, outputs = this.outputSize): Float64Array {
    if (rows > this.scratchRows) {
      this.scratch = this.sizes.slice(1).map((s) => new Float64Array(s * rows));
      this.scratchRows = rows;
    }
    const varying = this.sharedSums(input, rows, sharedPrefix);
    const inSize = this.sizes[0]!;
    const outSize = this.sizes[1]!;
    pack(this.weights[0]!, inSize, outSize, this.varying, varying, this.packed);
    const hidden = this.scratch[0]!;
    firstLayer(input, rows, inSize, outSize, this.packed, this.shared, this.varying, varying, this.gathered, hidden);
    // Activated apart from the sums: one call site that V8 inlines, instead of eight in a loop too large for it.
    activate(hidden, rows * outSize);
    // Two loops of one array type each: V8 keeps both monomorphic.
    const last = this.sizes.length - 1;
    for (let l = 2; l <= last; l++) {
      const nodes = l === last ? Math.min(Math.max(1, outputs), this.sizes[l]!) : this.sizes[l]!;
      hiddenLayer(this.scratch[l - 2]!, rows, this.sizes[l - 1]!, this.sizes[l]!, nodes, this.weights[l - 1]!, this.biases[l - 1]!, this.scratch[l - 1]!);
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

/** Copies the varying columns' weights next to each other, so the row loop reads them in order. */
function pack(w: Float64Array, inSize: number, outSize: number, cols: Int32Array, nCols: number, packed: Float64Array): void {
  for (let node = 0; node < outSize; node++) {
    const from = node * inSize;
    const to = node * nCols;
    for (let j = 0; j < nCols; j++) packed[to + j] = w[from + cols[j]!]!;
  }
}

/**
 * The first layer's sums (before the activation) over the varying columns only, for two rows and
 * four nodes at a time: eight independent sums stay in registers while a pair of rows' inputs is
 * read once per group. Each sum adds the same products in the same order as the full row would
 * (the shared part first), so results do not change.
 */
function firstLayer(
  input: Float32Array,
  rows: number,
  inSize: number,
  outSize: number,
  w: Float64Array,
  shared: Float64Array,
  cols: Int32Array,
  nCols: number,
  x: Float64Array,
  out: Float64Array,
): void {
  let r = 0;
  for (; r + 2 <= rows; r += 2) {
    const inA = r * inSize;
    const inB = inA + inSize;
    for (let j = 0; j < nCols; j++) {
      const k = cols[j]!;
      x[j] = input[inA + k]!;
      x[nCols + j] = input[inB + k]!;
    }
    const outA = r * outSize;
    const outB = outA + outSize;
    let node = 0;
    for (; node + 4 <= outSize; node += 4) {
      const w0 = node * nCols;
      const w1 = w0 + nCols;
      const w2 = w1 + nCols;
      const w3 = w2 + nCols;
      let a0 = shared[node]!;
      let a1 = shared[node + 1]!;
      let a2 = shared[node + 2]!;
      let a3 = shared[node + 3]!;
      let b0 = a0;
      let b1 = a1;
      let b2 = a2;
      let b3 = a3;
      for (let j = 0; j < nCols; j++) {
        const xa = x[j]!;
        const xb = x[nCols + j]!;
        const v0 = w[w0 + j]!;
        const v1 = w[w1 + j]!;
        const v2 = w[w2 + j]!;
        const v3 = w[w3 + j]!;
        a0 += v0 * xa;
        b0 += v0 * xb;
        a1 += v1 * xa;
        b1 += v1 * xb;
        a2 += v2 * xa;
        b2 += v2 * xb;
        a3 += v3 * xa;
        b3 += v3 * xb;
      }
      out[outA + node] = a0;
      out[outA + node + 1] = a1;
      out[outA + node + 2] = a2;
      out[outA + node + 3] = a3;
      out[outB + node] = b0;
      out[outB + node + 1] = b1;
      out[outB + node + 2] = b2;
      out[outB + node + 3] = b3;
    }
    for (; node < outSize; node++) {
      const wBase = node * nCols;
      let a = shared[node]!;
      let b = a;
      for (let j = 0; j < nCols; j++) {
        a += w[wBase + j]! * x[j]!;
        b += w[wBase + j]! * x[nCols + j]!;
      }
      out[outA + node] = a;
      out[outB + node] = b;
    }
  }
  // An odd last row.
  for (; r < rows; r++) {
    const inBase = r * inSize;
    for (let j = 0; j < nCols; j++) x[j] = input[inBase + cols[j]!]!;
    const outBase = r * outSize;
    for (let node = 0; node < outSize; node++) {
      const wBase = node * nCols;
      let sum = shared[node]!;
      for (let j = 0; j < nCols; j++) sum += w[wBase + j]! * x[j]!;
      out[outBase + node] = sum;
    }
  }
}

/** e^x = 2^(k/32) · e^r: k the nearest integer to 32x / ln 2, so |r| ≤ ln 2 / 64. */
const STEPS = 32;
const EXP_BIAS = Math.ceil((40 * STEPS) / Math.LN2);
/** 2^(k/32) for k in [-EXP_BIAS, EXP_BIAS]: 30 KB, read once per activation. */
const POW2 = Float64Array.from({ length: 2 * EXP_BIAS + 1 }, (_, i) => 2 ** ((i - EXP_BIAS) / STEPS));
const STEPS_PER_LN = STEPS * Math.LOG2E;
const LN_PER_STEP = Math.LN2 / STEPS;
const ROUNDER = 6755399441055744;

/**
 * 1 / (1 + e^-z) without Math.exp, which was most of a pass's cost: e^x = 2^(k/32) · e^r with
 * 2^(k/32) from a table and e^r by its Taylor series to r^3 (|r| ≤ ln 2 / 64, relative error
 * below 6e-10, a hundredth of the float32 precision brain.js trains in). A finer table means a
 * shorter series: an activation waits on three multiply-adds instead of the seven a table of
 * whole powers of two needed. Beyond |z| = 40 the result is 0 or 1 to double precision anyway.
 */
function sigmoid(z: number): number {
  const x = z > 40 ? -40 : z < -40 ? 40 : -z;
  // Adding and taking away 1.5 · 2^52 rounds to the nearest integer, without a call to Math.round.
  const k = x * STEPS_PER_LN + ROUNDER - ROUNDER;
  const r = x - k * LN_PER_STEP;
  const er = 1 + r * (1 + r * (1 / 2 + r * (1 / 6)));
  return 1 / (1 + er * POW2[(k | 0) + EXP_BIAS]!);
}

function activate(z: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) z[i] = sigmoid(z[i]!);
}

/**
 * Two rows and two nodes at a time: four sums that do not wait on each other, where one sum at a
 * time waited on its previous add for every input. Each sum still adds its products in order.
 * Only the first `nodes` of the layer's `outSize` are computed.
 */
function hiddenLayer(
  prev: Float64Array,
  rows: number,
  inSize: number,
  outSize: number,
  nodes: number,
  w: Float64Array,
  b: Float64Array,
  out: Float64Array,
): void {
  let r = 0;
  for (; r + 2 <= rows; r += 2) {
    const inA = r * inSize;
    const inB = inA + inSize;
    const outA = r * outSize;
    const outB = outA + outSize;
    let node = 0;
    for (; node + 2 <= nodes; node += 2) {
      const w0 = node * inSize;
      const w1 = w0 + inSize;
      let a0 = b[node]!;
      let a1 = b[node + 1]!;
      let b0 = a0;
      let b1 = a1;
      for (let k = 0; k < inSize; k++) {
        const xa = prev[inA + k]!;
        const xb = prev[inB + k]!;
        const v0 = w[w0 + k]!;
        const v1 = w[w1 + k]!;
        a0 += v0 * xa;
        a1 += v1 * xa;
        b0 += v0 * xb;
        b1 += v1 * xb;
      }
      out[outA + node] = sigmoid(a0);
      out[outA + node + 1] = sigmoid(a1);
      out[outB + node] = sigmoid(b0);
      out[outB + node + 1] = sigmoid(b1);
    }
    for (; node < nodes; node++) {
      const w0 = node * inSize;
      let a = b[node]!;
      let c = a;
      for (let k = 0; k < inSize; k++) {
        a += w[w0 + k]! * prev[inA + k]!;
        c += w[w0 + k]! * prev[inB + k]!;
      }
      out[outA + node] = sigmoid(a);
      out[outB + node] = sigmoid(c);
    }
  }
  // An odd last row.
  for (; r < rows; r++) {
    const inBase = r * inSize;
    const outBase = r * outSize;
    for (let node = 0; node < nodes; node++) {
      let sum = b[node]!;
      const wBase = node * inSize;
      for (let k = 0; k < inSize; k++) sum += w[wBase + k]! * prev[inBase + k]!;
      out[outBase + node] = sigmoid(sum);
    }
  }
}
