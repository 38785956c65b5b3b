/**
 * Isolated handlers on a real `weft worker` process: a spinning thread is terminated at its
 * timeout, a process past its memory cap fails typed, and the same worker then serves 100 tasks.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipeline } from '@weft/engine';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { fleetRunner, spawnFleet, stopAll, type Runner } from '../fleet/fleet-harness.js';
import { failure } from '../helpers.js';
import isolatedPlugin from './isolated-plugin.js';

const plugin = fileURLToPath(new URL('./isolated-plugin.ts', import.meta.url));
let redis: PrivateRedis;
let runner: Runner;

beforeAll(async () => {
  redis = await startRedis();
  await spawnFleet(redis.url, [{ id: 'iso-1', concurrency: 2, plugins: false, extra: ['--plugins', plugin] }]);
  runner = await fleetRunner(redis.url, {}, { plugins: [isolatedPlugin] });
});
afterAll(async () => {
  await runner?.engine.close();
  await stopAll();
  await redis?.stop();
});

describe('isolation on a fleet worker process', () => {
  it('fails a spin by timeout and an allocation by memory cap, then serves 100 tasks', async () => {
    const bad = pipeline('bad').configure({ onFailure: 'continue' }).step('spin', 'iso.spin', { timeoutMs: 200 }).step('alloc', 'iso.alloc').build();
    const err = await failure(runner.engine.run(bad));
    expect(err.result.steps['spin']!.error!.code).toBe('WEFT_TASK_TIMEOUT');
    expect(err.result.steps['alloc']!.error!.code).toBe('WEFT_TASK_MEMORY_LIMIT');
    const many = pipeline('many')
      .step('each', 'iso.echo', { forEach: Array.from({ length: 100 }, (_, i) => i), input: { i: { $ref: 'item' } } })
      .build();
    const result = await runner.engine.run(many);
    expect((result.outputs['each'] as { input: { i: number } }[]).map((o) => o.input.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
