/**
 * Cancelling a fleet run (`weft cancel`, Ctrl-C on `weft run`), detaching from it (`--detach`,
 * a second Ctrl-C) and following it (`weft status --watch`), with real processes and Redis.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, FleetKeys, type WorkerRecord } from '@weft/engine/fleet';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { storeNewRun } from '../../src/fleet/run-record.js';
import { effectsLog, pluginPath, runWeft, spawnFleet, spawnWeft, stopAll, waitFor } from '../fleet/fleet-harness.js';
import { printedRunId, readRecord } from './durable-harness.js';

let redis: PrivateRedis;
const effects = effectsLog();
const dir = mkdtempSync(path.join(tmpdir(), 'weft-cancel-'));
const longFile = path.join(dir, 'long.json');
const quickFile = path.join(dir, 'quick.json');

beforeAll(async () => {
  redis = await startRedis();
  // first → six long items (four at a time): a cancel lands while items run and others wait.
  writeFileSync(
    longFile,
    JSON.stringify({
      name: 'long',
      maxParallel: 4,
      steps: [
        { id: 'first', task: 't.work', input: { ms: 50, tag: { $ref: 'input.first' } } },
        { id: 'slow', task: 't.work', dependsOn: ['first'], forEach: { $ref: 'input.items' }, input: { ms: 20_000, tag: { $ref: 'item' } } },
      ],
    }),
  );
  writeFileSync(
    quickFile,
    JSON.stringify({
      name: 'quick',
      steps: [
        { id: 'a', task: 't.add', input: { a: 1, b: 2 } },
        { id: 'b', task: 't.double', dependsOn: ['a'], input: { n: { $ref: 'steps.a.output' } } },
      ],
    }),
  );
  await spawnFleet(redis.url, [
    { id: 'c1', concurrency: 2, env: effects.env, extra: ['--takeover-scan-ms', '200'] },
    { id: 'c2', concurrency: 2, env: effects.env, extra: ['--takeover-scan-ms', '200'] },
  ]);
}, 120_000);

afterAll(async () => {
  await stopAll();
  await redis?.stop();
});

const input = (p: string) => JSON.stringify({ first: `${p}-first`, items: Array.from({ length: 6 }, (_, i) => `${p}-s${i}`) });
const mine = (p: string) => effects.read().filter((e) => e.tag.startsWith(`${p}-s`));
const running = (p: string) => () => mine(p).filter((e) => e.kind === 'start').length >= 4;

/** When the cancel was recorded (published at the same moment). */
async function cancelledAt(runId: string): Promise<number> {
  const client = createRedisClient(redis.url);
  try {
    return Date.parse((await client.hget(new FleetKeys().run(runId), 'cancel')) ?? '');
  } finally {
    client.disconnect();
  }
}

async function ended(runId: string): Promise<{ status: string; done?: string[] }> {
  return waitFor(
    `run ${runId} to end`,
    async () => {
      const r = await readRecord(redis.url, runId);
      return r && ['succeeded', 'failed', 'cancelled'].includes(r.meta.status) ? r.meta : undefined;
    },
    30_000,
    100,
  );
}

/** Every task of the run that started was aborted within 1 s of `at`, and none started after `after`. */
function expectAbortedEverywhere(p: string, at: number, after: number): void {
  const starts = mine(p).filter((e) => e.kind === 'start');
  const aborts = new Map(
    mine(p)
      .filter((e) => e.kind === 'abort')
      .map((e) => [e.tag, e.at]),
  );
  expect(starts.length).toBeGreaterThanOrEqual(4);
  for (const s of starts) {
    expect(aborts.has(s.tag), `${s.tag} saw no abort`).toBe(true);
    expect(aborts.get(s.tag)! - at).toBeLessThan(1000);
  }
  expect(starts.filter((s) => s.at > after)).toEqual([]);
  expect(mine(p).some((e) => e.kind === 'done')).toBe(false);
}

describe('cancel, detach and follow', () => {
  it('weft cancel: in-flight handlers on every worker abort within 1 s, nothing starts after, the run ends cancelled', async () => {
    const res = await runWeft(['run', longFile, '--fleet', '--detach', '--redis', redis.url, '--plugins', pluginPath, '--input', input('K')]);
    expect(res.code, res.stderr).toBe(0);
    const runId = res.stdout.trim();
    await waitFor('four items running', running('K'), 30_000);
    const cancel = await runWeft(['cancel', runId, '--redis', redis.url]);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toContain(`Run ${runId} of "long" ended cancelled. Steps done: first.`);
    const meta = await ended(runId);
    expect(meta).toMatchObject({ status: 'cancelled', done: ['first'] });
    // Both workers ran items, and each aborted its own.
    expect(new Set(mine('K').map((e) => e.worker))).toEqual(new Set(['c1', 'c2']));
    await new Promise((r) => setTimeout(r, 1000)); // the only wall-clock wait: proof that nothing starts later
    expectAbortedEverywhere('K', await cancelledAt(runId), Date.now() - 1000);

    const again = await runWeft(['cancel', runId, '--redis', redis.url]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already ended cancelled');
    const unknown = await runWeft(['cancel', 'no-such-run', '--redis', redis.url]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('WEFT_RUN_NOT_FOUND');
    expect(unknown.stderr).toContain('weft status');
  });

  it('Ctrl-C on an attached run: the first cancels it (and says so), the second detaches', async () => {
    const once = spawnWeft(
      'sigint-1',
      ['run', longFile, '--fleet', '--redis', redis.url, '--plugins', pluginPath, '--no-progress', '--input', input('I')],
      effects.env,
    );
    const runId = await waitFor('run id', () => printedRunId(once.output()), 60_000);
    await waitFor('four items running', running('I'), 30_000);
    once.child.kill('SIGINT');
    expect(await once.exited).toBe(130);
    expect(once.output()).toContain(`Cancelling run ${runId}`);
    expect((await ended(runId)).status).toBe('cancelled');
    expectAbortedEverywhere('I', await cancelledAt(runId), Date.now());

    // Its end is held (the fixture's pipeline:end hook): the second Ctrl-C always lands before
    // `weft run` has heard the run end, however fast the cancel went.
    const twice = spawnWeft('sigint-2', ['run', longFile, '--fleet', '--redis', redis.url, '--plugins', pluginPath, '--no-progress', '--input', input('J')], {
      ...effects.env,
      WEFT_TEST_HOLD_END: path.join(dir, 'never'),
    });
    const second = await waitFor('run id', () => printedRunId(twice.output()), 60_000);
    await waitFor('four items running', running('J'), 30_000);
    twice.child.kill('SIGINT');
    await waitFor('the cancel notice', () => twice.output().includes('Cancelling run'), 5_000, 10);
    twice.child.kill('SIGINT');
    await waitFor('the detach notice', () => twice.output().includes('Detached from run'), 5_000, 10);
    writeFileSync(path.join(dir, 'end-held'), '');
    expect(await twice.exited).toBe(130);
    expect(twice.output()).toContain(`Detached from run ${second}`);
    expect(twice.output()).toContain(`weft status ${second} --watch`);
    // The fleet carries it on: to the end the first Ctrl-C asked for.
    expect((await ended(second)).status).toBe('cancelled');
  });

  it('--detach stores the run and exits 0; status --watch follows it to its end', async () => {
    const res = await runWeft(['run', quickFile, '--fleet', '--detach', '--redis', redis.url, '--plugins', pluginPath]);
    expect(res.code, res.stderr).toBe(0);
    const runId = res.stdout.trim();
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    const watch = await runWeft(['status', runId, '--watch', '--redis', redis.url]);
    expect(watch.code, watch.stderr).toBe(0);
    expect(watch.stdout).toContain(`Run ${runId} of "quick": succeeded`);
    expect((await readRecord(redis.url, runId))?.output).toEqual({ b: 6 });
    // Plugins' stats sections ride each worker's heartbeat; the engine that drove the run (a
    // takeover) reports on its worker's too.
    const client = createRedisClient(redis.url);
    try {
      const records = (await client.mget(new FleetKeys().worker('c1'), new FleetKeys().worker('c2'))).map((r) => JSON.parse(r ?? '{}') as WorkerRecord);
      const fixture = records.map((r) => (r.plugins ?? []).filter((p) => p.plugin === 'weft-fleet-test-plugin' && p.kind === 'fixture'));
      expect(fixture.every((sections) => sections.length >= 1)).toBe(true);
      expect(fixture.some((sections) => sections.length === 2)).toBe(true);
    } finally {
      client.disconnect();
    }
  });

  it('weft resume names what it cannot do: an unknown run, a run whose task types no plugin provides', async () => {
    const unknown = await runWeft(['resume', 'no-such-run', '--redis', redis.url, '--plugins', pluginPath]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('WEFT_RUN_NOT_FOUND');
    const client = createRedisClient(redis.url);
    const runId = 'needs-a-plugin';
    await storeNewRun(
      client,
      new FleetKeys(),
      { runId, pipeline: { name: 'odd', steps: [{ id: 'x', task: 'acme.transcode', input: {} }] }, input: {}, status: 'queued' },
      { retentionMs: 60_000, keepRuns: 100 },
    );
    client.disconnect();
    const res = await runWeft(['resume', runId, '--redis', redis.url, '--plugins', pluginPath]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('WEFT_RUN_UNRESUMABLE');
    expect(res.stderr).toContain('"acme.transcode"');
  });
});
