/**
 * Schedules on a fleet, with real `weft worker` processes and Redis: a schedule every second
 * fires durable runs tagged with its name, goes on across a worker restart, and stops when removed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, FleetKeys, type RedisClient } from '@weft/engine/fleet';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { pluginPath, runWeft, spawnFleet, stopAll, waitFor, type WorkerProcess } from '../fleet/fleet-harness.js';

let redis: PrivateRedis;
let client: RedisClient;
let worker: WorkerProcess;
const keys = new FleetKeys();
const dir = mkdtempSync(path.join(tmpdir(), 'weft-schedule-'));
const file = path.join(dir, 'tick.json');
const slowFile = path.join(dir, 'slow.json');
const scan = ['--takeover-scan-ms', '200'];

beforeAll(async () => {
  redis = await startRedis();
  client = createRedisClient(redis.url);
  writeFileSync(file, JSON.stringify({ name: 'tick', steps: [{ id: 'a', task: 't.add', input: { a: { $ref: 'input.a' }, b: 1 } }] }));
  writeFileSync(slowFile, JSON.stringify({ name: 'slow', steps: [{ id: 's', task: 't.work', input: { ms: 1500, tag: 'slow' } }] }));
  [worker] = await spawnFleet(redis.url, [{ id: 's1', extra: scan }]);
}, 120_000);

afterAll(async () => {
  client?.disconnect();
  await stopAll();
  await redis?.stop();
});

const weft = (...args: string[]) => runWeft([...args, '--redis', redis.url]);

interface Meta {
  runId: string;
  status: string;
  startedAt: string;
  schedule?: string;
}

/** Every run the schedule started, from their records. */
async function fired(schedule: string): Promise<Meta[]> {
  const ids = await client.zrange(keys.runs, 0, -1);
  const metas = await Promise.all(ids.map((id) => client.hget(keys.run(id), 'meta')));
  return metas.flatMap((m) => (m ? [JSON.parse(m) as Meta] : [])).filter((m) => m.schedule === schedule);
}

const succeeded = async (schedule: string) => (await fired(schedule)).filter((m) => m.status === 'succeeded').length;

describe('schedules', () => {
  it('refuses a bad cron, a bad time zone and an unknown schedule with typed errors', async () => {
    const badCron = await weft('schedule', 'add', 'x', file, '--cron', '61 * * * *', '--plugins', pluginPath);
    expect(badCron.code).not.toBe(0);
    expect(badCron.stderr).toContain('WEFT_SCHEDULE_INVALID');
    expect(badCron.stderr).toContain('--cron "61 * * * *"');
    const badTz = await weft('schedule', 'add', 'x', file, '--cron', '* * * * *', '--tz', 'Mars/Olympus', '--plugins', pluginPath);
    expect(badTz.stderr).toContain('--tz "Mars/Olympus" is not a time zone');
    const missing = await weft('schedule', 'remove', 'nope');
    expect(missing.stderr).toContain('WEFT_SCHEDULE_NOT_FOUND');
    expect(`${badCron.stderr}${badTz.stderr}${missing.stderr}`).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('fires a durable run every second, tagged with the schedule, across a worker restart, until removed', async () => {
    const added = await weft('schedule', 'add', 'tick', file, '--cron', '* * * * * *', '--tz', 'Europe/Paris', '--input', '{"a":41}', '--plugins', pluginPath);
    expect(added.code, added.stderr).toBe(0);
    const addedAt = Date.now();
    await waitFor('three scheduled runs to succeed', async () => (await succeeded('tick')) >= 3, 15_000, 100);
    const firstThree = (await fired('tick')).map((m) => Date.parse(m.startedAt)).sort((a, b) => a - b);
    // Three firings, a second apart, within 4 s of adding the schedule.
    expect(firstThree[2]! - addedAt).toBeLessThanOrEqual(4_000);
    const listed = JSON.parse((await weft('schedule', 'list', '--json')).stdout) as { name: string; cron: string; tz: string; pipeline: string }[];
    expect(listed).toMatchObject([{ name: 'tick', cron: '* * * * * *', tz: 'Europe/Paris', pipeline: 'tick' }]);
    const status = await weft('status');
    expect(status.stdout).toContain('tick (schedule tick)');
    const one = (await fired('tick')).find((m) => m.status === 'succeeded')!;
    expect(JSON.parse((await client.hget(keys.run(one.runId), 'output'))!)).toEqual({ a: 42 });

    worker.child.kill('SIGTERM');
    await worker.exited;
    const beforeRestart = await succeeded('tick');
    [worker] = await spawnFleet(redis.url, [{ id: 's2', extra: scan }]);
    await waitFor('two more scheduled runs after the restart', async () => (await succeeded('tick')) >= beforeRestart + 2, 20_000, 100);

    const removed = await weft('schedule', 'remove', 'tick');
    expect(removed.code, removed.stderr).toBe(0);
    expect((await weft('schedule', 'list')).stdout).toContain('No schedules.');
    // Nothing left to fire: no next firing waiting in the queue, and every run it started ends.
    expect(await client.zcard(`${keys.prefix}:schedules:delayed`)).toBe(0);
    await waitFor('the last firings to end', async () => (await fired('tick')).every((m) => m.status === 'succeeded'), 15_000, 100);
    const total = (await fired('tick')).length;
    // A run of 1.5 s: more than one period of the removed schedule.
    const slow = await weft('run', slowFile, '--plugins', pluginPath, '--no-progress');
    expect(slow.code, slow.stderr).toBe(0);
    expect((await fired('tick')).length).toBe(total);
  }, 120_000);
});
