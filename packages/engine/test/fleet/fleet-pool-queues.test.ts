/** A task whose worker left and that no live worker can take waits on its capability's pool queue for the next one. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, FleetWorker, SpanNames, Telemetry, type Engine } from '@weft/engine';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import testPlugin from './fixtures/fleet-plugin.js';
import { effects, fleetRunner, waitFor, type Runner } from './fleet-harness.js';

let redis: PrivateRedis;
let engine: Engine;
let runner: Runner;
const workers: FleetWorker[] = [];
const effectsFile = path.join(mkdtempSync(path.join(tmpdir(), 'weft-fleet-')), 'effects.log');

async function startWorker(id: string, capabilities: string[]): Promise<FleetWorker> {
  const w = new FleetWorker({ redisUrl: redis.url, id, capabilities, heartbeatMs: 150, drainTimeoutMs: 100 }, { handlers: engine.handlers, telemetry: new Telemetry() });
  await w.start();
  workers.push(w);
  return w;
}

beforeAll(async () => {
  writeFileSync(effectsFile, '');
  process.env['WEFT_TEST_EFFECTS'] = effectsFile;
  redis = await startRedis();
  engine = await createEngine({ plugins: [testPlugin] });
});

afterAll(async () => {
  delete process.env['WEFT_TEST_EFFECTS'];
  await runner?.engine.close();
  for (const w of workers) await w.close();
  await engine?.close();
  await redis?.stop();
});

describe('pool queues', () => {
  it('parks a task on pool.<capability> when no live worker offers it, and the next such worker runs it', async () => {
    const gpu1 = await startWorker('gpu-1', ['gpu']);
    await startWorker('cpu-1', ['cpu']);
    runner = await fleetRunner(redis.url, { rerouteWaitMs: 300 });
    const run = runner.engine.run({ name: 'pool', steps: [{ id: 'render', task: 't.slow', capabilities: ['gpu'], input: { ms: 600, tag: 'render' } }] });
    await waitFor('the task to start on gpu-1', () => effects(readFileSync(effectsFile, 'utf8')).some((e) => e.kind === 'start' && e.worker === 'gpu-1'));
    await gpu1.close();
    await waitFor('the task to be parked', () => runner.exporter.getFinishedSpans().some((s) => s.name === SpanNames.DECISION_REROUTE));
    await startWorker('gpu-2', ['gpu']);
    const result = await run;
    expect(result.outputs['render']).toEqual({ tag: 'render', worker: 'gpu-2' });
    const reroute = runner.exporter.getFinishedSpans().find((s) => s.name === SpanNames.DECISION_REROUTE)!;
    expect(reroute.attributes['weft.decision.choice']).toBe('pool.gpu');
    expect(reroute.attributes['weft.decision.from']).toBe('gpu-1');
  });
});
