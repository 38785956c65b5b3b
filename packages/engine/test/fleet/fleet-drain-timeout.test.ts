/** A worker whose drain times out hands its unfinished task back: the step completes elsewhere instead of failing. */
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

async function startWorker(id: string): Promise<FleetWorker> {
  const w = new FleetWorker({ redisUrl: redis.url, id, heartbeatMs: 150, drainTimeoutMs: 200 }, { handlers: engine.handlers, telemetry: new Telemetry() });
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

describe('drain timeout', () => {
  it('re-routes a task cut short by a drain timeout instead of failing its step', async () => {
    const first = await startWorker('first');
    runner = await fleetRunner(redis.url);
    const run = runner.engine.run({ name: 'long', steps: [{ id: 'long', task: 't.slow', input: { ms: 800, tag: 'long' } }] });
    await waitFor('the task to start on "first"', () => effects(readFileSync(effectsFile, 'utf8')).some((e) => e.kind === 'start' && e.worker === 'first'));
    await startWorker('second');
    await waitFor('"second" to be routable', () => runner.engine.workers().some((w) => w.id === 'second'));
    await first.close();
    const result = await run;
    expect(result.status).toBe('succeeded');
    expect(result.outputs['long']).toEqual({ tag: 'long', worker: 'second' });
    const reroute = runner.exporter.getFinishedSpans().find((s) => s.name === SpanNames.DECISION_REROUTE);
    expect(reroute?.attributes['weft.decision.from']).toBe('first');
  });
});
