import { describe, expect, it } from 'vitest';
import { NeuralNetwork } from 'brain.js';
import { seededRandom } from '@weft/engine';
import { CompiledNetwork, FEATURE_COUNT, TASK_FEATURE_COUNT, type NetworkJson } from '@weft/plugin-ml';

/** A brain.js network briefly trained on seeded random rows, and those rows. */
function trained(r: () => number, hidden: number, samples: number, iterations: number): { net: NeuralNetwork<number[], number[]>; data: { input: number[] }[] } {
  const net = new NeuralNetwork<number[], number[]>({ hiddenLayers: [hidden], activation: 'sigmoid' });
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
});
