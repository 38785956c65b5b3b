/** Redis (password-protected) going away mid-run: workers and runner reconnect and the run completes; the password shows nowhere. */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@weft/engine';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { effectsLog, fleetRunner, spawnFleet, stopAll, waitFor, type Runner, type WorkerProcess } from './fleet-harness.js';

const PASSWORD = 'pw-Zq8-never-logged';
let redis: PrivateRedis;
let runner: Runner;
let workers: WorkerProcess[];
let runnerLog = '';
const log = effectsLog();

beforeAll(async () => {
  redis = await startRedis({ password: PASSWORD });
  expect(redis.url).toContain(PASSWORD);
  workers = await spawnFleet(
    redis.url,
    ['p1', 'p2'].map((id) => ({ id, env: { ...log.env, WEFT_LOG_LEVEL: 'debug' } })),
  );
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      runnerLog += chunk.toString();
      done();
    },
  });
  runner = await fleetRunner(redis.url, {}, { logger: createLogger({ level: 'debug', destination: sink }) });
}, 120_000);

afterAll(async () => {
  await runner?.engine.close();
  await stopAll();
  await redis?.stop();
});

describe('fleet and a Redis restart', () => {
  it('completes a run across a Redis restart, logging the loss and the return without the password', async () => {
    const steps = Array.from({ length: 6 }, (_, i) => ({
      id: `s${i}`,
      task: 't.slow',
      input: { ms: 250, tag: `s${i}` },
      ...(i > 0 ? { dependsOn: [`s${i - 1}`] } : {}),
    }));
    const run = runner.engine.run({ name: 'restart', steps });
    await waitFor('step s1 to finish', () => log.read().some((e) => e.kind === 'done' && e.tag === 's1'));
    await redis.kill();
    // Keep Redis down until every process has seen it go.
    await waitFor('the runner and the workers to log the loss of redis', () =>
      [runnerLog, ...workers.map((w) => w.output())].every((text) => text.includes('redis connection lost')),
    );
    await redis.restart();
    const result = await run;
    expect(result.status).toBe('succeeded');
    expect(Object.keys(result.outputs).sort()).toEqual(['s0', 's1', 's2', 's3', 's4', 's5']);
    const done = new Set(
      log
        .read()
        .filter((e) => e.kind === 'done')
        .map((e) => e.tag),
    );
    expect([...done].sort()).toEqual(['s0', 's1', 's2', 's3', 's4', 's5']);

    expect(runnerLog).toContain('redis connection lost');
    expect(runnerLog).toContain('redis connection restored');
    await waitFor('workers to log the return of redis', () => workers.every((w) => w.output().includes('redis connection restored')));
    expect(runnerLog).toContain('127.0.0.1');
    for (const text of [runnerLog, ...workers.map((w) => w.output())]) expect(text).not.toContain(PASSWORD);
    const attributes = runner.exporter.getFinishedSpans().map((s) => JSON.stringify(s.attributes) + JSON.stringify(s.events));
    expect(attributes.join('\n')).not.toContain(PASSWORD);
  });
});
