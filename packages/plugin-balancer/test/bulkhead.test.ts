import { describe, expect, it } from 'vitest';
import { pipeline, ref, type HandlerContext } from '@weft/engine';
import { sleep } from '@weft/engine/util';
import balancer, { BalancerStatsToken, Bulkhead } from '@weft/plugin-balancer';
import { task } from './fixtures.js';
import { tracedEngine, worker } from './helpers.js';

/** Counts tasks running at once on each worker, from inside the handler. */
function concurrencyProbe() {
  const now = new Map<string, number>();
  const max = new Map<string, number>();
  const handler = async (_input: unknown, ctx: HandlerContext) => {
    const n = (now.get(ctx.workerId) ?? 0) + 1;
    now.set(ctx.workerId, n);
    max.set(ctx.workerId, Math.max(max.get(ctx.workerId) ?? 0, n));
    await sleep(3, ctx.signal);
    now.set(ctx.workerId, now.get(ctx.workerId)! - 1);
    return ctx.workerId;
  };
  return { handler, max };
}

const fanOut = (items: number, maxParallel: number) =>
  pipeline('fan-out')
    .configure({ maxParallel })
    .step('each', 'work', { input: { i: ref('index') }, forEach: ref('input.items'), cache: false })
    .build();

describe('bulkhead', () => {
  it('never runs more than its cap on a worker under concurrent dispatch, and every task still runs', async () => {
    const { engine } = await tracedEngine({
      config: {
        workers: [
          { id: 'a', concurrency: 8 },
          { id: 'b', concurrency: 8 },
        ],
        routing: { strategy: 'round-robin' },
      },
      plugins: [{ plugin: balancer, config: { breaker: false, bulkhead: { maxInFlight: 2, perWorker: { b: 3 } } } }],
    });
    const probe = concurrencyProbe();
    engine.registerHandler('work', probe.handler);
    const items = Array.from({ length: 60 }, (_, i) => i);
    const res = await engine.run(fanOut(60, 16), { items });
    const outs = (res.outputs['each'] as string[]) ?? [];
    expect(outs).toHaveLength(60);
    expect(probe.max.get('a')).toBeLessThanOrEqual(2);
    expect(probe.max.get('b')).toBeLessThanOrEqual(3);
    // The cap was reached, so the test would have seen an overrun.
    expect(probe.max.get('b')).toBe(3);
    const snap = engine.container.resolve(BalancerStatsToken).snapshot();
    expect(snap.totalDecisions).toBe(60);
    expect(snap.workers.every((w) => w.bulkheadInFlight === 0)).toBe(true);
    await engine.close();
  });

  it('frees the slots of a cancelled run, so the next run is not starved', async () => {
    const { engine } = await tracedEngine({
      config: { workers: [{ id: 'a', concurrency: 4 }], routing: { waitForCapacityMs: 2_000 } },
      plugins: [{ plugin: balancer, config: { breaker: false, bulkhead: { maxInFlight: 1 } } }],
    });
    engine.registerHandler('work', async (_i: unknown, ctx: HandlerContext) => {
      await sleep(10_000, ctx.signal);
      return 1;
    });
    engine.registerHandler('quick', async () => 2);
    const controller = new AbortController();
    const first = engine.run(fanOut(1, 1), { items: [1] }, { signal: controller.signal });
    await sleep(50);
    controller.abort();
    await expect(first).rejects.toMatchObject({ code: 'WEFT_RUN_CANCELLED' });
    const res = await engine.run(pipeline('next').step('q', 'quick', { cache: false }).build());
    expect(res.output).toEqual({ q: 2 });
    await engine.close();
  });

  it('refuses a full worker and admits it again once a slot is released', async () => {
    const b = new Bulkhead({ maxInFlight: 1 });
    const w = worker('w');
    expect(b.admit(w)).toEqual({ allowed: true });
    await b.acquire(task(1), 'w');
    expect(b.admit(w)).toEqual({ allowed: false, reason: 'bulkhead-full' });
    let second = false;
    const waiting = b.acquire(task(2), 'w').then(() => (second = true));
    await sleep(5);
    expect(second).toBe(false);
    b.release(task(1));
    await waiting;
    expect(b.inFlight('w')).toBe(1);
  });

  it("moves a re-routed task's slot to its new worker, and frees it when the task is parked in a pool", async () => {
    const b = new Bulkhead({ maxInFlight: 1 });
    await b.acquire(task(1), 'a');
    // A dispatch waits for a's only slot, held by task 1.
    let waited = false;
    const waiting = b.acquire(task(2), 'a').then(() => (waited = true));
    b.moved(task(1), 'a', 'b');
    await waiting;
    expect(waited).toBe(true);
    expect(b.inFlight('a')).toBe(1);
    expect(b.inFlight('b')).toBe(1);
    // Its end frees b, not a.
    b.release(task(1));
    expect(b.inFlight('b')).toBe(0);
    expect(b.inFlight('a')).toBe(1);
    // Moved from a worker it does not hold: nothing changes. Parked in a pool: a is freed.
    b.moved(task(2), 'b', 'c');
    expect(b.inFlight('c')).toBe(0);
    b.moved(task(2), 'a', undefined);
    expect(b.inFlight('a')).toBe(0);
    b.release(task(2));
    expect(b.inFlight('a')).toBe(0);
  });
});
