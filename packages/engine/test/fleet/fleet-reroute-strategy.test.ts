/**
 * A re-route goes through the engine's guards and the task's balancing strategy, not a fixed rule,
 * and the guards are told where the task went.
 */
import { describe, expect, it } from 'vitest';
import { definePlugin, type BalancingStrategy } from '@weft/engine';
import { SpanNames } from '@weft/engine/tracing';
import { inProcessFleet, waitFor } from './fleet-harness.js';

const fleet = inProcessFleet();

/** Picks the candidate with the greatest id, however busy: least in flight would not. */
const lastById: BalancingStrategy = {
  name: 'last-by-id',
  select: (_task, workers) => ({ workerId: [...workers].sort((a, b) => a.id.localeCompare(b.id)).at(-1)!.id, reason: 'greatest id' }),
};
/** What guards are told of re-routes (a bulkhead moves its slot on it). */
const moves: { step: string; from: string; to: string | undefined }[] = [];
const strategyPlugin = definePlugin({
  name: 'last-by-id-strategy',
  version: '1.0.0',
  engine: '*',
  setup: (ctx) => {
    ctx.registerStrategy(lastById);
    ctx.registerGuard({ name: 'move-recorder', admit: () => ({ allowed: true }), moved: (task, from, to) => void moves.push({ step: task.stepId, from, to }) });
  },
});

describe('re-routing with the configured strategy', () => {
  it('sends a lost task where the strategy says, and the reroute span names the strategy', async () => {
    const a = await fleet.startWorker({ id: 'a', drainTimeoutMs: 200 });
    const runner = await fleet.runner({}, { plugins: [strategyPlugin], config: { routing: { strategy: 'last-by-id' } } });
    const started = (tag: string, worker: string) => () => fleet.effects().some((e) => e.kind === 'start' && e.tag === tag && e.worker === worker);

    const lost = runner.engine.run({ name: 'lost', steps: [{ id: 'long', task: 't.slow', input: { ms: 1200, tag: 'rs-long' } }] });
    await waitFor('rs-long to start on a', started('rs-long', 'a'));
    await fleet.startWorker({ id: 'b' });
    await fleet.startWorker({ id: 'z' });
    await waitFor('b and z to be routable', () => ['b', 'z'].every((id) => runner.engine.workers().some((w) => w.id === id)));
    // z is now the busier of the two live workers: least in flight would choose b.
    const busy = runner.engine.run({ name: 'busy', steps: [{ id: 'hold', task: 't.slow', input: { ms: 2500, tag: 'rs-hold' } }] });
    await waitFor('rs-hold to start on z', started('rs-hold', 'z'));

    await a.close();
    const result = await lost;
    expect(result.status).toBe('succeeded');
    expect(result.outputs['long']).toEqual({ tag: 'rs-long', worker: 'z' });
    const reroute = runner.exporter.getFinishedSpans().find((s) => s.name === SpanNames.DECISION_REROUTE);
    expect(reroute?.attributes['weft.decision.from']).toBe('a');
    expect(reroute?.attributes['weft.decision.strategy']).toBe('last-by-id');
    expect(reroute?.attributes['weft.decision.choice']).toBe('z');
    // The guards followed the task from a to z, once.
    expect(moves).toEqual([{ step: 'long', from: 'a', to: 'z' }]);
    expect((await busy).status).toBe('succeeded');
  });
});
