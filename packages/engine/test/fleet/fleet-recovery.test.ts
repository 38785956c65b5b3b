/** Worker processes that die (SIGKILL), freeze (heartbeat lapse) or are asked to stop (SIGTERM) mid-run. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '@weft/engine';
import type { FleetStatus } from '@weft/engine/fleet';
import { SpanNames } from '@weft/engine/tracing';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { statusCommand } from '../../src/cli/commands/status.js';
import { effectsLog, fleetRunner, spawnFleet, stopAll, waitFor, type Runner, type WorkerProcess } from './fleet-harness.js';

let redis: PrivateRedis;
let runner: Runner;
let workers: WorkerProcess[];
const effects = effectsLog();
const log = effects.read;

beforeAll(async () => {
  redis = await startRedis();
  workers = await spawnFleet(
    redis.url,
    ['r1', 'r2', 'r3', 'r4'].map((id) => ({ id, concurrency: 2, env: effects.env })),
  );
  runner = await fleetRunner(redis.url);
}, 120_000);

afterAll(async () => {
  await runner?.engine.close();
  await stopAll();
  await redis?.stop();
});

const proc = (id: string): WorkerProcess => workers.find((w) => w.id === id)!;
const slowSteps = (prefix: string, n: number, ms: number, dependsOn?: string[]) =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, task: 't.slow', input: { ms, tag: `${prefix}${i}` }, ...(dependsOn ? { dependsOn } : {}) }));

/** The first worker seen starting one of these tags. */
async function firstStarter(prefix: string): Promise<string> {
  return waitFor(`a worker to start ${prefix}*`, () => log().find((e) => e.kind === 'start' && e.tag.startsWith(prefix))?.worker);
}

describe('fleet recovery', () => {
  it('re-routes the job of a SIGKILLed worker: every task completes once, finished steps are not re-run', async () => {
    // What hooks (and so predictors and breakers) are told ran each task.
    const heard = new Map<string, string>();
    const off = runner.engine.on('task:after', (e) => void heard.set(e.task.stepId, e.workerId));
    const run = runner.engine.run({
      name: 'kill',
      steps: [{ id: 'first', task: 't.slow', input: { ms: 20, tag: 'kfirst' } }, ...slowSteps('kl', 4, 2000, ['first'])],
    });
    const victim = await firstStarter('kl');
    proc(victim).child.kill('SIGKILL');
    const result: RunResult = await run;
    expect(result.status).toBe('succeeded');
    const done = log().filter((e) => e.kind === 'done' && e.tag.startsWith('k'));
    // Each task's effect completed exactly once, none lost; the step before the crash ran once.
    expect(done.map((e) => e.tag).sort()).toEqual(['kfirst', 'kl0', 'kl1', 'kl2', 'kl3']);
    const outputs = result.outputs as Record<string, { worker: string }>;
    expect(['kl0', 'kl1', 'kl2', 'kl3'].some((id) => outputs[id]!.worker === victim)).toBe(false);
    // The outcome of a re-routed task names the worker that ran it, not the one it was first sent to.
    off();
    for (const id of ['kl0', 'kl1', 'kl2', 'kl3']) expect(heard.get(id)).toBe(outputs[id]!.worker);
    const reroutes = runner.exporter.getFinishedSpans().filter((s) => s.name === SpanNames.DECISION_REROUTE);
    expect(reroutes.length).toBeGreaterThanOrEqual(1);
    expect(reroutes[0]!.attributes['weft.decision.reason']).toBe(`worker ${victim} heartbeat lapsed`);
    expect(reroutes[0]!.attributes['weft.decision.from']).toBe(victim);
    expect(reroutes[0]!.attributes['weft.decision.choice']).not.toBe(victim);
  });

  it('takes a worker whose heartbeat lapses out of routing at once and re-routes its task', async () => {
    runner.exporter.reset();
    const run = runner.engine.run({ name: 'freeze', steps: slowSteps('fz', 3, 1500) });
    const victim = await firstStarter('fz');
    proc(victim).child.kill('SIGSTOP');
    try {
      await waitFor('the frozen worker to leave routing', () => !runner.engine.workers().some((w) => w.id === victim), 5_000);
      const result = await run;
      expect(result.status).toBe('succeeded');
      expect(Object.values(result.outputs as Record<string, { worker: string }>).some((o) => o.worker === victim)).toBe(false);
      const reroute = runner.exporter.getFinishedSpans().find((s) => s.name === SpanNames.DECISION_REROUTE);
      expect(reroute?.attributes['weft.decision.reason']).toBe(`worker ${victim} heartbeat lapsed`);
      const status = JSON.parse(await statusCommand(undefined, { redis: redis.url, json: true })) as FleetStatus;
      expect(status.workers.some((w) => w.id === victim)).toBe(false);
      expect(status.decisions.some((d) => d.kind === 'reroute' && d.reason.includes(victim))).toBe(true);
    } finally {
      proc(victim).child.kill('SIGKILL');
      proc(victim).child.kill('SIGCONT');
    }
  });

  it('on SIGTERM finishes the in-flight job, takes no new ones, and exits 0', async () => {
    runner.exporter.reset();
    const run = runner.engine.run({
      name: 'drain',
      steps: [...slowSteps('dr', 2, 1200), ...Array.from({ length: 6 }, (_, i) => ({ id: `after${i}`, task: 't.where', dependsOn: ['dr0', 'dr1'] }))],
    });
    const victim = await firstStarter('dr');
    const w = proc(victim);
    w.child.kill('SIGTERM');
    const result = await run;
    expect(result.status).toBe('succeeded');
    const outputs = result.outputs as Record<string, { worker: string }>;
    const drained = log().find((e) => e.kind === 'done' && e.tag.startsWith('dr') && e.worker === victim);
    expect(drained).toBeDefined();
    expect(outputs[drained!.tag]!.worker).toBe(victim);
    for (let i = 0; i < 6; i++) expect(outputs[`after${i}`]!.worker).not.toBe(victim);
    expect(await w.exited).toBe(0);
    expect(w.output()).toContain('SIGTERM: finishing in-flight jobs');
    expect(runner.exporter.getFinishedSpans().some((s) => s.name === SpanNames.DECISION_REROUTE)).toBe(false);
  });
});
