/**
 * The fleet on a Redis Cluster with a replica per master, through a failover: the master that
 * holds the fleet's `{weft}` slot is SIGKILLed mid-run, its replica is promoted, and the run
 * completes on the new master. Replication is asynchronous, so the last writes before the kill
 * may be gone on the replica; the runner's lost-job check re-routes a job that vanished, and
 * idempotency records answer for steps whose record survived. The password shows nowhere.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type PrivateRedisCluster } from '../../../../test-support/redis-server.js';
import { effectsLog, fleetRunner, spawnFleet, stopAll, waitFor, waitForWorkers, type Runner, type WorkerProcess } from './fleet-harness.js';

const PASSWORD = 'failover-pw-never-logged';
let cluster: PrivateRedisCluster;
let runner: Runner;
let workers: WorkerProcess[];
const log = effectsLog();

beforeAll(async () => {
  cluster = await startRedisCluster(3, { password: PASSWORD, replicas: 1 });
  workers = await spawnFleet(
    cluster.url,
    ['f-a', 'f-b'].map((id) => ({ id, concurrency: 2, env: log.env })),
  );
  runner = await fleetRunner(cluster.url);
}, 120_000);

afterAll(async () => {
  await runner?.engine.close();
  await stopAll();
  await cluster?.stop();
});

/** The role a node reports, as its INFO replication says. */
async function role(port: number): Promise<string> {
  const node = new Redis({ host: '127.0.0.1', port, password: PASSWORD, maxRetriesPerRequest: 1 });
  try {
    return /role:(\w+)/.exec(await node.info('replication'))?.[1] ?? 'unknown';
  } finally {
    node.disconnect();
  }
}

describe('fleet on a Redis Cluster with replicas', () => {
  it('completes a run when the master holding the fleet fails over to its replica', async () => {
    const home = await cluster.nodeFor('{weft}');
    const replica = cluster.replicaPorts[cluster.ports.indexOf(home)]!;
    expect(await role(replica)).toBe('slave');

    const chain = Array.from({ length: 5 }, (_, i) => ({
      id: `c${i}`,
      task: 't.slow',
      input: { ms: 300, tag: `fo${i}` },
      ...(i > 0 ? { dependsOn: [`c${i - 1}`] } : {}),
    }));
    const fan = { id: 'fan', task: 't.slow', forEach: { $ref: 'input.items' }, input: { ms: 100, tag: { $ref: 'item' } } };
    const run = runner.engine.run({ name: 'failover', maxParallel: 4, steps: [...chain, fan] }, { items: Array.from({ length: 12 }, (_, i) => `fi${i}`) });
    // Awaited below; a rejection meanwhile must not go unhandled.
    run.catch(() => undefined);
    await waitFor('step c1 to finish', () => log.read().some((e) => e.kind === 'done' && e.tag === 'fo1'));
    await cluster.kill(home);

    const result = await run;
    expect(result.status).toBe('succeeded');
    expect(Object.keys(result.outputs).sort()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'fan']);
    expect((result.outputs['fan'] as { tag: string }[]).map((o) => o.tag)).toEqual(Array.from({ length: 12 }, (_, i) => `fi${i}`));
    // The replica took over the slot: it is a master now, and the workers are registered on it.
    expect(await role(replica)).toBe('master');
    const done = new Set(
      log
        .read()
        .filter((e) => e.kind === 'done')
        .map((e) => e.tag),
    );
    for (const tag of [...chain.map((s) => s.input.tag), ...Array.from({ length: 12 }, (_, i) => `fi${i}`)]) expect(done).toContain(tag);
    await waitForWorkers(
      cluster.url,
      workers.map((w) => w.id),
      workers,
    );
    // A second run after the failover goes straight through.
    const again = await runner.engine.run({ name: 'after-failover', steps: [{ id: 'a', task: 't.add', input: { a: 2, b: 3 } }] });
    expect(again.outputs['a']).toBe(5);
    // The lost node never returns; the promoted replica answering for its slots is the return.
    await waitFor('workers to log the return of the cluster', () => workers.every((w) => w.output().includes('redis connection restored')));
    for (const w of workers) {
      expect(w.output()).toContain('redis connection lost');
      expect(w.child.exitCode).toBeNull();
      expect(w.output()).not.toContain(PASSWORD);
    }
  }, 90_000);
});
