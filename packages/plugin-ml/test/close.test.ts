import { describe, expect, it } from 'vitest';
import { fanOut, mlEngine } from './helpers.js';

describe('engine close', () => {
  it('terminates the training thread, even in the middle of a training', async () => {
    const { engine, predictor } = await mlEngine({
      minSamples: 10,
      trainEvery: 1_000_000,
      trainIntervalMs: 0,
      iterations: 10_000_000,
      errorThresh: 1e-12,
      trainTimeoutMs: 20_000,
    });
    const { pipeline, input } = fanOut(20);
    await engine.run(pipeline, input);
    const training = predictor.trainNow();
    expect(predictor.trainingThreadAlive).toBe(true);
    await engine.close();
    expect(predictor.trainingThreadAlive).toBe(false);
    expect(predictor.isTraining).toBe(false);
    // The interrupted training leaves the predictor cold instead of throwing into the engine.
    await expect(training).resolves.toBe(0);
    expect(predictor.predict({ ...fakeTask }, engine.workers()).fallbackReason).toBe('closed');
  });
});

const fakeTask = {
  id: 't',
  runId: 'r',
  stepId: 's',
  type: 'work',
  input: {},
  capabilities: [],
  tags: [],
  sizeBytes: 2,
  attempt: 1,
  handlerVersion: '1',
  idempotencyKey: 't',
};
