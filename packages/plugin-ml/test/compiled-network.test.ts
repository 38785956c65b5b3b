import { describe, expect, it } from 'vitest';
import { NeuralNetwork } from 'brain.js';
import { seededRandom } from '@weft/engine/util';
import { CompiledNetwork, FEATURE_COUNT, TASK_FEATURE_COUNT, type NetworkJson } from '@weft/plugin-ml/kernels';

/** A brain.js network briefly trained on seeded random rows, and those rows. */
function trained(
  r: () => number,
  hidden: number | number[],
  samples: number,
  iterations: number,
): { net: NeuralNetwork<number[], number[]>; data: { input: number[] }[] } {
  const net = new NeuralNetwork<number[], number[]>({ hiddenLayers: typeof hidden === 'number' ? [hidden] : hidden, activation: 'sigmoid' });
  const data = Array.from({ length: samples }, () => ({ input: Array.from({ length: FEATURE_COUNT }, () => r()), output: [r(), r() > 0.5 ? 1 : 0] }));
  net.train(data, { iterations });
  return { net, data };
}

/** Runs the rows as one batch and checks every output against brain.js on each row. */
function expectSameAsBrain(net: NeuralNetwork<number[], number[]>, inputs: number[][], sharedPrefix: number, digits: number): void {
  const compiled = new CompiledNetwork(net.toJSON() as unknown as NetworkJson);
  const batch = new Float32Array(inputs.length * FEATURE_COUNT);
  inputs.forEach((row, i) => batch.set(row, i * FEATURE_COUNT));
  const out = compiled.runBatch(batch, inputs.length, sharedPrefix);
  inputs.forEach((row, i) => {
    // brain.js computes in Float32 from the same Float32 inputs.
    const expected = net.run(Array.from(Float32Array.from(row)));
    expect(out[i * 2]).toBeCloseTo(expected[0]!, digits);
    expect(out[i * 2 + 1]).toBeCloseTo(expected[1]!, digits);
  });
}

describe('compiled network', () => {
  it('scores a batch exactly as brain.js scores each row, with the shared task prefix computed once', () => {
    const { net, data } = trained(seededRandom(5), 12, 50, 20);
    const prefix = data[0]!.input.slice(0, TASK_FEATURE_COUNT);
    const inputs = Array.from({ length: 7 }, (_, i) => [...prefix, ...data[i]!.input.slice(TASK_FEATURE_COUNT)]);
    for (const shared of [0, TASK_FEATURE_COUNT]) expectSameAsBrain(net, inputs, shared, 5);
  });

  it('gives the same outputs when some candidate inputs are equal in every row (computed once for the batch)', () => {
    const r = seededRandom(9);
    const { net } = trained(r, 7, 40, 10);
    // Every third candidate column is the same in all rows, some of them 0; the rest vary.
    const shared = Array.from({ length: FEATURE_COUNT }, (_, k) => (k % 6 === 0 ? 0 : r()));
    const inputs = Array.from({ length: 5 }, () => shared.map((v, k) => (k < TASK_FEATURE_COUNT || k % 3 === 0 ? v : r())));
    expectSameAsBrain(net, inputs, TASK_FEATURE_COUNT, 6);
  });

  it('computes the duration output alone to the same bits as the full pass, for even and odd row counts', () => {
    const r = seededRandom(17);
    const { net, data } = trained(r, [9, 5], 40, 10);
    const compiled = new CompiledNetwork(net.toJSON() as unknown as NetworkJson);
    for (const rows of [6, 7]) {
      const batch = new Float32Array(rows * FEATURE_COUNT);
      data.slice(0, rows).forEach((d, i) => batch.set(d.input, i * FEATURE_COUNT));
      const full = Array.from(compiled.runBatch(batch, rows));
      // Another batch in between, so values left from the full pass cannot pass for results.
      compiled.runBatch(
        batch.map((x) => 1 - x),
        rows,
      );
      const durationOnly = compiled.runBatch(batch, rows, 0, 1);
      for (let i = 0; i < rows; i++) expect(durationOnly[i * 2]).toBe(full[i * 2]);
    }
  });

  it('gives the same outputs with two hidden layers of odd sizes and an odd number of rows', () => {
    const r = seededRandom(13);
    const { net, data } = trained(r, [9, 5], 40, 10);
    for (const rows of [6, 7])
      expectSameAsBrain(
        net,
        data.slice(0, rows).map((d) => d.input),
        0,
        6,
      );
  });

  it('computes the sigmoid to within 1e-9 of 1 / (1 + Math.exp(-z)) over the whole range it is not 0 or 1 in', () => {
    // One input, one node, weight 1, bias 0: the output is the sigmoid of the input.
    const identity: NetworkJson = {
      type: 'NeuralNetwork',
      sizes: [1, 1],
      layers: [
        { weights: [], biases: [] },
        { weights: [[1]], biases: [0] },
      ],
    };
    const compiled = new CompiledNetwork(identity);
    let worst = 0;
    for (let i = 0; i <= 80_000; i++) {
      const z = Math.fround(-40 + i / 1000);
      const got = compiled.runBatch(Float32Array.of(z), 1)[0]!;
      const want = 1 / (1 + Math.exp(-z));
      worst = Math.max(worst, Math.abs(got - want) / want);
    }
    expect(worst).toBeLessThan(1e-9);
  });
});
