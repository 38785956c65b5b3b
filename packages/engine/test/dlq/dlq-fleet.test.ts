/**
 * Dead letters on a fleet, with real `weft worker` processes and Redis: a task that always fails
 * lands in the DLQ with every attempt; its worker restarts with the plugin fixed; `weft dlq
 * replay` re-opens the failed run, which completes; `weft dlq purge` empties the store.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineRunError } from '@weft/engine';
import { SpanNames } from '@weft/engine/tracing';
import { deadLetters, type DeadLetter } from '@weft/engine/dlq';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { fleetRunner, pluginPath, runWeft, spawnFleet, stopAll, waitFor, type Runner, type WorkerProcess } from '../fleet/fleet-harness.js';
import { readRecord } from '../durable/durable-harness.js';
import dlqPlugin from './dlq-plugin.js';

const dlqPluginPath = fileURLToPath(new URL('./dlq-plugin.ts', import.meta.url));
const file = path.join(mkdtempSync(path.join(tmpdir(), 'weft-dlq-')), 'charge.json');
let redis: PrivateRedis;
let runner: Runner;
let worker: WorkerProcess;

beforeAll(async () => {
  redis = await startRedis();
  // add → charge (always fails until fixed) → double: the replay must run charge and then double.
  writeFileSync(
    file,
    JSON.stringify({
      name: 'billing',
      steps: [
        { id: 'add', task: 't.add', input: { a: 2, b: 3 } },
        { id: 'charge', task: 't.charge', dependsOn: ['add'], input: { n: { $ref: 'steps.add.output' } } },
        { id: 'double', task: 't.double', dependsOn: ['charge'], input: { n: { $ref: 'steps.charge.output.charged' } } },
      ],
    }),
  );
  [worker] = await spawnFleet(redis.url, [{ id: 'd1', concurrency: 1, plugins: false, extra: ['--plugins', `${pluginPath},${dlqPluginPath}`] }]);
  runner = await fleetRunner(redis.url, {}, { plugins: [dlqPlugin] });
}, 120_000);

afterAll(async () => {
  await runner?.engine.close();
  await stopAll();
  await redis?.stop();
});

const weft = (...args: string[]) => runWeft([...args, '--redis', redis.url]);

describe('dead letters on a fleet', () => {
  let entry: DeadLetter;
  let runId: string;

  it('keeps a task that failed for good with every attempt, its worker and its error', async () => {
    const err = await runner.engine.run(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PipelineRunError);
    runId = (err as PipelineRunError).result.runId;
    const [only, ...rest] = await deadLetters(runner.engine).list();
    expect(rest).toEqual([]);
    entry = only!;
    expect(entry).toMatchObject({ runId, pipeline: 'billing', stepId: 'charge', taskType: 't.charge', input: { n: 5 } });
    expect(entry.attempts.map((a) => [a.attempt, a.workerId])).toEqual([
      [1, 'd1'],
      [2, 'd1'],
      [3, 'd1'],
    ]);
    expect(entry.attempts.every((a) => a.durationMs >= 0 && a.error.includes('declined'))).toBe(true);
    expect(entry.error.message).toContain('charge 5 declined');
    // The worker's stack, carried back with its error: it names the plugin's file.
    expect(entry.error.stack).toContain('dlq-plugin');
    const added = runner.exporter.getFinishedSpans().filter((s) => s.name === SpanNames.DLQ_ADD);
    expect(added).toHaveLength(1);

    const listed = await weft('dlq', 'list', '--json', '--type', 't.charge', '--since', '1h');
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as DeadLetter[]).map((e) => e.id)).toEqual([entry.id]);
    expect((await weft('dlq', 'list', '--type', 't.other')).stdout).toContain('No dead letters');
    const shown = await weft('dlq', 'show', entry.id);
    expect(shown.stdout).toContain('#3 on d1');
    expect(shown.stdout).toContain('"n":5');
    const missing = await weft('dlq', 'show', 'nope');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('WEFT_DLQ_NOT_FOUND');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('replays into the failed run once the worker runs the fixed plugin: the run completes', async () => {
    worker.child.kill('SIGTERM');
    await worker.exited;
    await spawnFleet(redis.url, [
      { id: 'd2', concurrency: 1, plugins: false, env: { WEFT_DLQ_FIXED: '1' }, extra: ['--plugins', `${pluginPath},${dlqPluginPath}`] },
    ]);
    const replayed = await weft('dlq', 'replay', entry.id, '--plugins', `${pluginPath},${dlqPluginPath}`, '--json');
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(JSON.parse(replayed.stdout)).toEqual([{ id: entry.id, mode: 'reopen', runId, status: 'succeeded' }]);
    // The run's own record says it finished, with the dependents' output.
    const record = await waitFor('the record to end', async () => {
      const r = await readRecord(redis.url, runId);
      return r?.meta.status === 'succeeded' ? r : undefined;
    });
    expect(record.output).toEqual({ double: 10 });
    expect(record.meta.done).toEqual(['add', 'charge', 'double']);
    expect(await deadLetters(runner.engine).list()).toEqual([]);
  }, 90_000);

  it('purges only with --yes', async () => {
    await expect(runner.engine.run({ name: 'bad', steps: [{ id: 'f', task: 't.fail', input: {} }] })).rejects.toThrow();
    expect(await deadLetters(runner.engine).list({ type: 't.fail' })).toHaveLength(1);
    const dry = await weft('dlq', 'purge');
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain('1 dead letter would be deleted');
    const done = await weft('dlq', 'purge', '--type', 't.fail', '--yes');
    expect(done.stdout).toContain('Deleted 1 dead letter.');
    expect(await deadLetters(runner.engine).list()).toEqual([]);
  }, 60_000);
});
