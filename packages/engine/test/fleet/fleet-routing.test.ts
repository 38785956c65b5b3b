/** A pipeline across three worker processes with different capabilities, and what `weft status` shows of it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, isWeftError, type Engine } from '@weft/engine';
import { FleetWorker, type FleetStatus, type RunRecord } from '@weft/engine/fleet';
import { Telemetry } from '@weft/engine/tracing';
import { freePort, startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { statusCommand } from '../../src/cli/commands/status.js';
import { fleetRunner, spawnWorker, stopAll, waitFor, waitForWorkers, type Runner, type WorkerProcess } from './fleet-harness.js';
import { failure } from '../helpers.js';
import { fleetRuntime } from '@weft/engine/fleet';

let redis: PrivateRedis;
let runner: Runner;
let workers: WorkerProcess[];
let bareEngine: Engine;
let bare: FleetWorker;

beforeAll(async () => {
  redis = await startRedis();
  workers = [
    spawnWorker({ id: 'w-python', redisUrl: redis.url, capabilities: 'lang:python' }),
    spawnWorker({ id: 'w-gpu', redisUrl: redis.url, capabilities: 'gpu,lang:python' }),
    spawnWorker({ id: 'w-plain', redisUrl: redis.url, capabilities: 'plain' }),
  ];
  // A worker with every capability but no handlers: routing must never pick it.
  bareEngine = await createEngine();
  bare = new FleetWorker({ redisUrl: redis.url, id: 'w-bare', heartbeatMs: 150 }, { handlers: bareEngine.handlers, telemetry: new Telemetry() });
  await bare.start();
  await waitForWorkers(redis.url, ['w-python', 'w-gpu', 'w-plain', 'w-bare'], workers);
  runner = await fleetRunner(redis.url);
}, 120_000);

afterAll(async () => {
  await runner?.engine.close();
  await bare?.close();
  await bareEngine?.close();
  await stopAll();
  await redis?.stop();
});

describe('fleet routing across worker processes', () => {
  it('routes each task to a worker process that offers its capabilities and has its handler', async () => {
    const steps = [
      ...Array.from({ length: 6 }, (_, i) => ({ id: `py${i}`, task: 't.python' })),
      ...Array.from({ length: 4 }, (_, i) => ({ id: `gpu${i}`, task: 't.gpu' })),
      ...Array.from({ length: 8 }, (_, i) => ({ id: `any${i}`, task: 't.where' })),
    ];
    const result = await runner.engine.run({ name: 'capabilities', steps });
    expect(result.status).toBe('succeeded');
    const out = result.outputs as Record<string, { worker: string; pid?: number }>;
    const pyWorkers = new Set(steps.filter((s) => s.task === 't.python').map((s) => out[s.id]!.worker));
    const gpuWorkers = new Set(steps.filter((s) => s.task === 't.gpu').map((s) => out[s.id]!.worker));
    const anyWorkers = new Set(steps.filter((s) => s.task === 't.where').map((s) => out[s.id]!.worker));
    expect([...pyWorkers].every((w) => w === 'w-python' || w === 'w-gpu')).toBe(true);
    expect([...gpuWorkers]).toEqual(['w-gpu']);
    expect(anyWorkers.has('w-bare')).toBe(false);
    expect(anyWorkers.size).toBeGreaterThan(1);
    // Handlers really ran in the worker processes, not in the runner.
    const pids = new Set(steps.filter((s) => s.task === 't.where').map((s) => out[s.id]!.pid));
    expect(pids.has(process.pid)).toBe(false);
    expect([...pids].every((pid) => workers.some((w) => w.child.pid === pid))).toBe(true);
  });

  it('shows workers, queue depths, recent runs and decisions in `weft status --json`, and one run by id', async () => {
    const result = await runner.engine.run({
      name: 'status-check',
      steps: [
        { id: 'a', task: 't.add', input: { a: 20, b: 22 } },
        { id: 'b', task: 't.double', dependsOn: ['a'], input: { n: { $ref: 'steps.a.output' } } },
      ],
    });
    // Stats ride on heartbeats: wait for the one after the run.
    const status = await waitFor('stats of both runs', async () => {
      const s = JSON.parse(await statusCommand(undefined, { redis: redis.url, json: true })) as FleetStatus;
      return s.workers.reduce((n, w) => n + w.stats.completed, 0) >= 20 ? s : undefined;
    });
    const byId = new Map(status.workers.map((w) => [w.id, w]));
    expect([...byId.keys()].sort()).toEqual(['w-bare', 'w-gpu', 'w-plain', 'w-python']);
    expect(byId.get('w-gpu')!.capabilities).toEqual(['gpu', 'lang:python']);
    expect(byId.get('w-gpu')!.pid).toBe(workers[1]!.child.pid);
    expect(byId.get('w-python')!.concurrency).toBe(4);
    expect(byId.get('w-bare')!.taskTypes).toEqual([]);
    expect(byId.get('w-bare')!.stats.completed).toBe(0);
    expect(status.queues.map((q) => q.queue)).toEqual(expect.arrayContaining(['w.w-python', 'w.w-gpu', 'pool.any', 'pool.lang%3apython']));
    expect(status.queues.every((q) => q.waiting === 0)).toBe(true);
    expect(status.runs[0]).toMatchObject({ runId: result.runId, pipeline: 'status-check', status: 'succeeded' });
    expect(status.decisions.some((d) => d.kind === 'route' && d.taskId === `${result.runId}:b`)).toBe(true);

    const run = JSON.parse(await statusCommand(result.runId, { redis: redis.url, json: true })) as RunRecord;
    expect(run.status).toBe('succeeded');
    expect(run.tasks[`${result.runId}:a`]).toMatchObject({ status: 'succeeded', output: 42 });
    expect(run.tasks[`${result.runId}:b`]).toMatchObject({ status: 'succeeded', output: 84 });

    const text = await statusCommand(undefined, { redis: redis.url });
    expect(text).toContain('w-python');
    expect(text).toContain('status-check');
    // Queue names as people read them: the capability, not BullMQ's escape of its colon.
    expect(text).toContain('pool.lang:python');
    expect(text).not.toContain('%3a');

    // A forEach step is one summary of its items, not a record per item; a failed item is listed.
    const { result: fan } = await failure(
      runner.engine.run(
        {
          name: 'fan',
          onFailure: 'continue',
          steps: [
            { id: 'each', task: 't.add', forEach: { $ref: 'input.items' }, input: { a: { $ref: 'item' }, b: 1 } },
            { id: 'bad', task: 't.fail', forEach: [1], input: { message: 'failed on purpose' } },
          ],
        },
        { items: [1, 2, 3, 4, 5] },
      ),
    );
    expect(fan.outputs['each']).toEqual([2, 3, 4, 5, 6]);
    const fanRun = JSON.parse(await statusCommand(fan.runId, { redis: redis.url, json: true })) as RunRecord;
    expect(fanRun.fanOut['each']).toMatchObject({ stepId: 'each', succeeded: 5, failed: 0, retrying: 0 });
    expect(Object.values(fanRun.fanOut['each']!.workers).reduce((a, b) => a + b, 0)).toBe(5);
    expect(fanRun.fanOut['bad']).toMatchObject({ succeeded: 0, failed: 1 });
    expect(Object.keys(fanRun.tasks)).toEqual([`${fan.runId}:bad[0]`]);
    expect(fanRun.tasks[`${fan.runId}:bad[0]`]).toMatchObject({ status: 'failed', error: expect.stringContaining('failed on purpose') });
    const fanText = await statusCommand(fan.runId, { redis: redis.url });
    expect(fanText).toMatch(/forEach steps[\s\S]*each\s+5\s+0\s+0/);
    await expect(statusCommand('no-such-run', { redis: redis.url })).rejects.toMatchObject({ code: 'WEFT_RUN_NOT_FOUND' });
  });

  it('fails fast when Redis is unreachable, naming the URL without its password', async () => {
    const port = await freePort();
    const err = await fleetRuntime(`redis://app:hunter2-secret@127.0.0.1:${port}`).catch((e: unknown) => e);
    expect(isWeftError(err, 'WEFT_REDIS_UNAVAILABLE')).toBe(true);
    const text = `${(err as Error).message} ${JSON.stringify(err)}`;
    expect(text).toContain(`127.0.0.1:${port}`);
    expect(text).not.toContain('hunter2-secret');
  });
});
