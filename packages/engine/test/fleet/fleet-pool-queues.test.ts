/** A task whose worker left and that no live worker can take waits on its capability's pool queue for the next one. */
import { describe, expect, it } from 'vitest';
import { SpanNames } from '@weft/engine/tracing';
import { inProcessFleet, waitFor } from './fleet-harness.js';

const fleet = inProcessFleet();

describe('pool queues', () => {
  it('parks a task on pool.<capability> when no live worker offers it, and the next such worker runs it', async () => {
    const gpu1 = await fleet.startWorker({ id: 'gpu-1', capabilities: ['gpu'], drainTimeoutMs: 100 });
    await fleet.startWorker({ id: 'cpu-1', capabilities: ['cpu'], drainTimeoutMs: 100 });
    const runner = await fleet.runner({ rerouteWaitMs: 300 });
    const run = runner.engine.run({ name: 'pool', steps: [{ id: 'render', task: 't.slow', capabilities: ['gpu'], input: { ms: 600, tag: 'render' } }] });
    await waitFor('the task to start on gpu-1', () => fleet.effects().some((e) => e.kind === 'start' && e.worker === 'gpu-1'));
    await gpu1.close();
    await waitFor('the task to be parked', () => runner.exporter.getFinishedSpans().some((s) => s.name === SpanNames.DECISION_REROUTE));
    await fleet.startWorker({ id: 'gpu-2', capabilities: ['gpu'], drainTimeoutMs: 100 });
    const result = await run;
    expect(result.outputs['render']).toEqual({ tag: 'render', worker: 'gpu-2' });
    const reroute = runner.exporter.getFinishedSpans().find((s) => s.name === SpanNames.DECISION_REROUTE)!;
    expect(reroute.attributes['weft.decision.choice']).toBe('pool.gpu');
    expect(reroute.attributes['weft.decision.from']).toBe('gpu-1');
  });
});
