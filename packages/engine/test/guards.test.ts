import { describe, expect, it } from 'vitest';
import { definePlugin, type WorkerGuard } from '@weft/engine';
import { Attr, SpanNames } from '@weft/engine/tracing';
import { sleep } from '@weft/engine/util';
import { failure, tracedEngine } from './helpers.js';

/** A guard that admits a worker only while it has fewer than `cap` tasks in flight. */
const capGuard = (cap: number): WorkerGuard => ({
  name: 'cap',
  admit: (w) => (w.stats.inFlight < cap ? { allowed: true } : { allowed: false, reason: 'full' }),
});

describe('worker guards', () => {
  it('tasks wait for capacity when every worker is refused, and never exceed the cap', async () => {
    const plugin = definePlugin({ name: 'cap', version: '1.0.0', engine: '*', setup: (ctx) => ctx.registerGuard(capGuard(1)) });
    const { engine, spans } = await tracedEngine({
      plugins: [plugin],
      config: {
        workers: [
          { id: 'a', concurrency: 8 },
          { id: 'b', concurrency: 8 },
        ],
      },
    });
    const active: Record<string, number> = { a: 0, b: 0 };
    let peak = 0;
    engine.registerHandler('work', async (_: unknown, ctx) => {
      active[ctx.workerId]!++;
      peak = Math.max(peak, active[ctx.workerId]!);
      await sleep(10);
      active[ctx.workerId]!--;
    });
    await engine.run({ name: 'p', steps: Array.from({ length: 6 }, (_, i) => ({ id: `s${i}`, task: 'work' })) });
    expect(peak).toBe(1);
    const waited = spans(SpanNames.DECISION_ROUTE).filter((s) => Number(s.attributes[Attr.DECISION_WAITED_MS]) > 0);
    expect(waited.length).toBeGreaterThan(0);
    await engine.close();
  });

  it('fails with WEFT_NO_WORKER_AVAILABLE naming the refusals once the bounded wait passes', async () => {
    const closed: WorkerGuard = { name: 'breaker', admit: () => ({ allowed: false, reason: 'breaker-open' }) };
    const plugin = definePlugin({ name: 'closed', version: '1.0.0', engine: '*', setup: (ctx) => ctx.registerGuard(closed) });
    const { engine } = await tracedEngine({
      plugins: [plugin],
      config: { workers: [{ id: 'gpu-1', capabilities: ['gpu'] }], routing: { waitForCapacityMs: 50 } },
    });
    engine.registerHandler('train', () => 1, { capabilities: ['gpu'] });
    const err = await failure(engine.run({ name: 'p', steps: [{ id: 't', task: 'train' }] }));
    expect(err.failures[0]?.code).toBe('WEFT_NO_WORKER_AVAILABLE');
    expect(err.failures[0]?.message).toMatch(
      /^No worker available for step "t" \(train, needs capabilities \[gpu\]\): every capable worker refused it for \d+ ms \(refused: gpu-1 breaker-open\)/,
    );
    await engine.close();
  });

  it('refuses an unknown strategy name before running', async () => {
    const { engine } = await tracedEngine();
    engine.registerHandler('t', () => 1);
    await expect(engine.run({ name: 'p', strategy: 'fastest', steps: [{ id: 'a', task: 't' }] })).rejects.toMatchObject({
      code: 'WEFT_PIPELINE_INVALID',
      details: { issues: ['strategy: unknown strategy "fastest"'] },
    });
    await engine.close();
  });
});
