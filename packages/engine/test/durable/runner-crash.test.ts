/**
 * A runner SIGKILLed during a fan-out, between steps, or during the fan-in: the run completes, by
 * a worker's takeover or by `weft resume`, no completed task runs again, at most maxParallel
 * in-flight tasks run twice, and the output equals a clean run's. Real processes, real Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { statusCommand } from '../../src/cli/commands/status.js';
import { effectsLog, pluginPath, runWeft, spawnFleet, spawnWeft, spawnWorker, stopAll, waitFor, type WorkerProcess } from '../fleet/fleet-harness.js';
import { duplicates, inputFor, MAX_PARALLEL, normalised, pipelineFile, printedRunId, readRecord } from './durable-harness.js';

let redis: PrivateRedis;
const effects = effectsLog();
const file = pipelineFile();
let clean: string;
/** A second fleet on its own prefix whose worker never takes runs over: runs there wait for `weft resume`. */
const MANUAL = '{manual}';

beforeAll(async () => {
  redis = await startRedis({ appendOnly: true });
  await spawnFleet(redis.url, [
    { id: 'w1', concurrency: 2, env: effects.env, extra: ['--takeover-scan-ms', '200'] },
    { id: 'w2', concurrency: 2, env: effects.env, extra: ['--takeover-scan-ms', '200'] },
  ]);
  const manual = spawnWorker({ id: 'm1', redisUrl: redis.url, concurrency: 3, env: effects.env, extra: ['--prefix', MANUAL, '--no-takeover'] });
  await waitFor('worker m1 ready', () => manual.output().includes('worker ready'), 75_000);
  const res = await runWeft(
    ['run', file, '--fleet', '--redis', redis.url, '--plugins', pluginPath, '--json', '--input', JSON.stringify(inputFor('C'))],
    effects.env,
  );
  expect(res.code, res.stderr).toBe(0);
  clean = normalised((JSON.parse(res.stdout) as { output: unknown }).output, 'C');
}, 180_000);

afterAll(async () => {
  await stopAll();
  await redis?.stop();
});

const started = (tag: string) => () => effects.read().some((e) => e.kind === 'start' && e.tag === tag);
const doneCount = (prefix: string) => effects.read().filter((e) => e.kind === 'done' && e.tag.startsWith(prefix)).length;

/** Starts an attached runner with a short lease; resolves with it and its run id. */
async function runner(p: string, prefix?: string): Promise<{ proc: WorkerProcess; runId: string }> {
  const args = [
    'run',
    file,
    '--fleet',
    '--redis',
    redis.url,
    '--plugins',
    pluginPath,
    '--lease-ms',
    '1000',
    '--no-progress',
    '--input',
    JSON.stringify(inputFor(p)),
    ...(prefix ? ['--prefix', prefix] : []),
  ];
  const proc = spawnWeft(`runner-${p}`, args, effects.env);
  const runId = await waitFor(`run id of ${p}`, () => printedRunId(proc.output()), 60_000);
  return { proc, runId };
}

async function finished(runId: string, prefix?: string) {
  return waitFor(
    `run ${runId} to end`,
    async () => {
      const r = await readRecord(redis.url, runId, prefix);
      return r && ['succeeded', 'failed', 'cancelled'].includes(r.meta.status) ? r : undefined;
    },
    60_000,
    100,
  );
}

function expectNoRepeats(p: string, killedAt: number): void {
  const d = duplicates(effects.read(), p, killedAt);
  expect(d.completedBeforeRanAgain).toEqual([]);
  expect(d.ranTwice.length).toBeLessThanOrEqual(MAX_PARALLEL);
}

describe('a run outlives its runner', () => {
  it('SIGKILL during the fan-out: a worker takes the run over and completes it', async () => {
    const { proc, runId } = await runner('A');
    await waitFor('three fan-out items done', () => doneCount('A-f') >= 3, 60_000);
    proc.child.kill('SIGKILL');
    const killedAt = Date.now();
    const r = await finished(runId);
    expect(r.meta.status).toBe('succeeded');
    expect(['w1', 'w2']).toContain(r.meta.driver);
    expect(r.meta.takeovers).toBeGreaterThanOrEqual(1);
    expect(normalised(r.output, 'A')).toBe(clean);
    expectNoRepeats('A', killedAt);
  });

  it('SIGKILL between steps (the step done, its reply unread): the next step is dispatched by a worker', async () => {
    const { proc, runId } = await runner('B');
    await waitFor('B-first started', started('B-first'), 60_000);
    // Frozen while the step runs, killed once it finished: the step is done, its dependents not released.
    proc.child.kill('SIGSTOP');
    await waitFor('B-first done', () => doneCount('B-first') === 1, 30_000);
    proc.child.kill('SIGKILL');
    const killedAt = Date.now();
    // Once its lease lapsed, the run is shown as what it is: orphaned, then resumed by its new driver.
    const shown = await waitFor(
      'status to name the new driver',
      async () => {
        const text = await statusCommand(runId, { redis: redis.url });
        return /: resumed by w[12]/.test(text) ? text : undefined;
      },
      20_000,
      100,
    );
    expect(shown).toMatch(/: resumed by w[12] /);
    const r = await finished(runId);
    expect(r.meta.status).toBe('succeeded');
    expect(normalised(r.output, 'B')).toBe(clean);
    expectNoRepeats('B', killedAt);
    const firstAfter = effects.read().find((e) => e.kind === 'start' && e.tag.startsWith('B-f'))!;
    // Takeover bound: lease 1 s + scan 0.2 s + the taker's engine start, well within 10 s.
    expect(firstAfter.at - killedAt).toBeLessThan(10_000);
  });

  it('SIGKILL during the fan-in: `weft resume` takes the run over by hand and completes it', async () => {
    const { proc, runId } = await runner('D', MANUAL);
    await waitFor('D-gather started', started('D-gather'), 60_000);
    proc.child.kill('SIGKILL');
    const killedAt = Date.now();
    // Nobody takes it over on this prefix: it is orphaned, never shown running.
    const orphaned = await waitFor(
      'the lease to lapse',
      async () => {
        const res = await runWeft(['status', runId, '--redis', redis.url, '--prefix', MANUAL]);
        return res.stdout.includes(': orphaned') ? res.stdout : undefined;
      },
      20_000,
      200,
    );
    expect(orphaned).not.toContain(': running');
    const res = await runWeft(['resume', runId, '--redis', redis.url, '--prefix', MANUAL, '--json', '--plugins', pluginPath], effects.env);
    expect(res.code, res.stderr).toBe(0);
    const result = JSON.parse(res.stdout) as { runId: string; status: string; output: unknown; steps: Record<string, { recovered?: number }> };
    expect(result.runId).toBe(runId);
    expect(result.status).toBe('succeeded');
    expect(normalised(result.output, 'D')).toBe(clean);
    expectNoRepeats('D', killedAt);
    const status = await runWeft(['status', runId, '--redis', redis.url, '--prefix', MANUAL]);
    expect(status.stdout).toContain(': succeeded');
  });

  it('Redis restart (AOF on) and a runner SIGKILL in the same run: a worker completes it from the restored record', async () => {
    const { proc, runId } = await runner('E');
    await waitFor('two fan-out items done', () => doneCount('E-f') >= 2, 60_000);
    await redis.kill();
    const killedAt = Date.now();
    proc.child.kill('SIGKILL');
    await redis.restart();
    const r = await finished(runId);
    expect(r.meta.status).toBe('succeeded');
    expect(r.meta.takeovers).toBeGreaterThanOrEqual(1);
    expect(normalised(r.output, 'E')).toBe(clean);
    expectNoRepeats('E', killedAt);
  });
});
