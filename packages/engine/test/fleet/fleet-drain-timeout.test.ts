/** A worker whose drain times out hands its unfinished task back: the step completes elsewhere instead of failing. */
import { describe, expect, it } from 'vitest';
import { SpanNames } from '@weft/engine/tracing';
import { inProcessFleet, waitFor } from './fleet-harness.js';

const fleet = inProcessFleet();

describe('drain timeout', () => {
  it('re-routes a task cut short by a drain timeout instead of failing its step', async () => {
    const first = await fleet.startWorker({ id: 'first', drainTimeoutMs: 200 });
    const runner = await fleet.runner();
    const run = runner.engine.run({ name: 'long', steps: [{ id: 'long', task: 't.slow', input: { ms: 800, tag: 'long' } }] });
    await waitFor('the task to start on "first"', () => fleet.effects().some((e) => e.kind === 'start' && e.worker === 'first'));
    await fleet.startWorker({ id: 'second', drainTimeoutMs: 200 });
    await waitFor('"second" to be routable', () => runner.engine.workers().some((w) => w.id === 'second'));
    await first.close();
    const result = await run;
    expect(result.status).toBe('succeeded');
    expect(result.outputs['long']).toEqual({ tag: 'long', worker: 'second' });
    const reroute = runner.exporter.getFinishedSpans().find((s) => s.name === SpanNames.DECISION_REROUTE);
    expect(reroute?.attributes['weft.decision.from']).toBe('first');
  });
});
