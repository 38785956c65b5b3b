import { describe, expect, it } from 'vitest';
import { NeuralNetwork } from 'brain.js';
import { seededRandom } from '@weft/engine';
import { CompiledNetwork, FEATURE_COUNT, TASK_FEATURE_COUNT, type NetworkJson } from '@weft/plugin-ml';

describe('compiled network', () => {
  it('scores a batch exactly as brain.js scores each row, with the shared task prefix computed once', () => {
    const r = seededRandom(5);
    const net = new NeuralNetwork<number[], number[]>({ hiddenLayers: [12], activation: 'sigmoid' });
    const data = Array.from({ length: 50 }, () => ({ input: Array.from({ length: FEATURE_COUNT }, () => r()), output: [r(), r() > 0.5 ? 1 : 0] }));
    net.train(data, { iterations: 20 });
    const compiled = new CompiledNetwork(net.toJSON() as unknown as NetworkJson);
    const rows = 7;
    const prefix = data[0]!.input.slice(0, TASK_FEATURE_COUNT);
    const batch = new Float32Array(rows * FEATURE_COUNT);
    const inputs = Array.from({ length: rows }, (_, i) => [...prefix, ...data[i]!.input.slice(TASK_FEATURE_COUNT)]);
    inputs.forEach((row, i) => batch.set(row, i * FEATURE_COUNT));
    for (const shared of [0, TASK_FEATURE_COUNT]) {
      const out = compiled.runBatch(batch, rows, shared);
      inputs.forEach((row, i) => {
        // brain.js computes in Float32 from the same Float32 inputs.
        const expected = net.run(Array.from(Float32Array.from(row)));
        expect(out[i * 2]).toBeCloseTo(expected[0]!, 5);
        expect(out[i * 2 + 1]).toBeCloseTo(expected[1]!, 5);
      });
    }
  });
});
