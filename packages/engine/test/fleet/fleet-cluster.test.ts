/**
 * The fleet on a Redis Cluster (`?cluster=true`): three masters sharing the hash slots, `weft
 * worker` processes with different capabilities, a runner, a worker SIGKILLed mid-run, `weft
 * status`, and last a restart of the node holding the fleet (it comes back empty). The nodes
 * require a password, which must show nowhere. Every fleet key carries the `{weft}` hash tag, so
 * the fleet lives on the one node that owns that slot; the other nodes hold none of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createEngine } from '@weft/engine';
import { fleetRuntime, FleetWorker, type FleetStatus } from '@weft/engine/fleet';
import { Telemetry } from '@weft/engine/tracing';
import { freePort, startRedis, startRedisCluster, type PrivateRedisCluster } from '../../../../test-support/redis-server.js';
import { statusCommand } from '../../src/cli/commands/status.js';
import { effectsLog, fleetRunner, spawnFleet, stopAll, waitFor, waitForWorkers, type Runner, type WorkerProcess } from './fleet-harness.js';
import { rejection } from '../helpers.js';

const PASSWORD = 'cluster-pw-never-logged';
let cluster: PrivateRedisCluster;
let runner: Runner;
let workers: WorkerProcess[];
const log = effectsLog();

beforeAll(async () => {
  cluster = await startRedisCluster(3, { password: PASSWORD });
  expect(cluster.url).toContain(PASSWORD);
  const env = log.env;
  workers = await spawnFleet(cluster.url, [
    { id: 'c-py', capabilities: 'lang:python', env },
    { id: 'c-gpu', capabilities: 'gpu', env },
    { id: 'c-plain', capabilities: 'plain', concurrency: 2, env },
  ]);
  runner = await fleetRunner(cluster.url);
}, 120_000);

afterAll(async () => {
  await runner?.engine.close();
  await stopAll();
  await cluster?.stop();
});

/** Keys each node holds, by port. */
async function keysByNode(): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (const port of cluster.ports) {
    const node = new Redis({ host: '127.0.0.1', port, password: PASSWORD, maxRetriesPerRequest: 1 });
    try {
      out.set(port, await node.keys('*'));
    } finally {
      node.disconnect();
    }
  }
  return out;
}

describe('fleet on a Redis Cluster', () => {
  it('runs a pipeline across workers, routing by capability, with every key in the {weft} slot', async () => {
    const result = await runner.engine.run({
      name: 'cluster',
      steps: [
        { id: 'sum', task: 't.add', input: { a: 20, b: 1 } },
        { id: 'twice', task: 't.double', dependsOn: ['sum'], input: { n: { $ref: 'steps.sum.output' } } },
        { id: 'py', task: 't.python', dependsOn: ['sum'] },
        { id: 'gpu', task: 't.gpu', dependsOn: ['sum'] },
      ],
    });
    expect(result.status).toBe('succeeded');
    expect(result.outputs['twice']).toBe(42);
    expect(result.outputs['py']).toEqual({ lang: 'python', worker: 'c-py' });
    expect(result.outputs['gpu']).toEqual({ gpu: true, worker: 'c-gpu' });

    const home = await cluster.nodeFor('{weft}');
    const byNode = await keysByNode();
    expect(byNode.get(home)!.some((k) => k.startsWith('{weft}:run:'))).toBe(true);
    expect(byNode.get(home)!.some((k) => k.startsWith('{weft}:w.c-py:'))).toBe(true);
    for (const [port, keys] of byNode) if (port !== home) expect(keys, `node ${port} holds fleet keys`).toEqual([]);
  });

  it('re-routes the job of a SIGKILLed worker on the cluster: the task completes once', async () => {
    const run = runner.engine.run({ name: 'cluster-kill', steps: [{ id: 'slow', task: 't.slow', input: { ms: 1500, tag: 'ck' } }] });
    const victim = await waitFor('a worker to start ck', () => log.read().find((e) => e.kind === 'start' && e.tag === 'ck')?.worker);
    workers.find((w) => w.id === victim)!.child.kill('SIGKILL');
    const result = await run;
    expect(result.status).toBe('succeeded');
    const done = log.read().filter((e) => e.kind === 'done' && e.tag === 'ck');
    expect(done).toHaveLength(1);
    expect(done[0]!.worker).not.toBe(victim);
  });

  it('shows the fleet through weft status --json', async () => {
    const status = JSON.parse(await statusCommand(undefined, { redis: cluster.url, json: true })) as FleetStatus;
    expect(status.workers.map((w) => w.id)).toEqual(
      expect.arrayContaining(workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null).map((w) => w.id)),
    );
    expect(status.runs.map((r) => r.pipeline)).toEqual(expect.arrayContaining(['cluster', 'cluster-kill']));
    expect(status.queues.map((q) => q.queue)).toContain('w.c-py');
  });

  it('names the fix when a cluster node is given without ?cluster=true, or the cluster URL is malformed', async () => {
    const bare = cluster.url.replace('?cluster=true', '');
    const notCluster = await rejection(fleetRuntime(bare));
    expect(notCluster).toMatchObject({ code: 'WEFT_CONFIG_INVALID' });
    expect(notCluster.message).toContain('add ?cluster=true');
    const withDb = await rejection(fleetRuntime(bare.replace(/\/?$/, '/3?cluster=true')));
    expect(withDb.message).toContain('only database 0');
    const typo = await rejection(fleetRuntime(`${bare}?cluster=yes`));
    expect(typo.message).toContain('write cluster=true');
    for (const e of [notCluster, withDb, typo]) expect(e.message).not.toContain(PASSWORD);
    // A prefix without a hash tag would spread the fleet over slots (CROSSSLOT in BullMQ's scripts).
    const untagged = await rejection(fleetRuntime(cluster.url, { prefix: 'plain' }).then((fleet) => createEngine(fleet)));
    expect(untagged).toMatchObject({ code: 'WEFT_CONFIG_INVALID' });
    expect(untagged.message).toContain('"{plain}"');
    expect(() => new FleetWorker({ redisUrl: cluster.url, prefix: 'x{}y' }, { handlers: runner.engine.handlers, telemetry: new Telemetry() })).toThrow(
      /no hash tag/,
    );
    expect((await rejection(statusCommand(undefined, { redis: cluster.url, prefix: 'plain' }))).message).toContain('no hash tag');
    const single = await startRedis();
    try {
      const notANode = await rejection(fleetRuntime(`${single.url}?cluster=true`));
      expect(notANode).toMatchObject({ code: 'WEFT_CONFIG_INVALID' });
      expect(notANode.message).toContain('remove ?cluster=true');
    } finally {
      await single.stop();
    }
    const down = await rejection(fleetRuntime(`redis://127.0.0.1:${await freePort()}?cluster=true`));
    expect(down).toMatchObject({ code: 'WEFT_REDIS_UNAVAILABLE' });
    expect(down.message).toContain('ECONNREFUSED');
  });

  it('completes a run across a restart of the node that holds the fleet', async () => {
    const steps = Array.from({ length: 5 }, (_, i) => ({
      id: `r${i}`,
      task: 't.slow',
      input: { ms: 250, tag: `cr${i}` },
      ...(i > 0 ? { dependsOn: [`r${i - 1}`] } : {}),
    }));
    const run = runner.engine.run({ name: 'cluster-restart', steps });
    await waitFor('step r1 to finish', () => log.read().some((e) => e.kind === 'done' && e.tag === 'cr1'));
    const home = await cluster.nodeFor('{weft}');
    await cluster.kill(home);
    // Keep the node down until the live workers have seen it go.
    const up = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    await waitFor('the workers to log the loss of the node', () => up.every((w) => w.output().includes('redis connection lost')));
    await cluster.restart(home);
    const result = await run;
    expect(result.status).toBe('succeeded');
    expect(Object.keys(result.outputs).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    const done = log.read().filter((e) => e.kind === 'done' && e.tag.startsWith('cr'));
    expect(new Set(done.map((e) => e.tag)).size).toBe(5);
    // The node came back empty: the live workers' heartbeats register them again.
    const live = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    await waitForWorkers(
      cluster.url,
      live.map((w) => w.id),
      live,
    );
    // A cluster stays up while one node is down: the workers still log the loss and the return.
    await waitFor('workers to log the return of the node', () => live.every((w) => w.output().includes('redis connection restored')));
    for (const w of live) expect(w.output()).toContain('redis connection lost');
    for (const w of workers) expect(w.output()).not.toContain(PASSWORD);
  });
});
