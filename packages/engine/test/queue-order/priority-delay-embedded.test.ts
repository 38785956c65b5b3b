/** Priorities, delays and not-before times embedded, and their bounds in the pipeline validator. */
import { describe, expect, it } from 'vitest';
import { createEngine, validatePipeline, type PipelineDefinition } from '@weft/engine';

const oneSlot = { workers: [{ id: 'solo', concurrency: 1 }] };

describe('priorities embedded', () => {
  it("the slot's waiting tasks run highest priority first, first in first out within one", async () => {
    await using engine = await createEngine({ config: oneSlot });
    const order: string[] = [];
    engine.registerHandler('t.note', async (input: { tag: string }) => {
      order.push(input.tag);
      await new Promise((r) => setImmediate(r));
      return input.tag;
    });
    const fan = (name: string, tags: string[], priority?: number): PipelineDefinition => ({
      name,
      steps: [{ id: 's', task: 't.note', forEach: tags, input: { tag: { $ref: 'item' } }, ...(priority === undefined ? {} : { priority }) }],
    });
    const runs = [
      engine.run(fan('low', ['l0', 'l1', 'l2', 'l3'], -1)),
      engine.run(fan('normal', ['n0', 'n1'])),
      engine.run(fan('high', ['h0', 'h1']), {}, { priority: 7 }),
    ];
    await Promise.all(runs);
    // l0 took the free slot at once; the rest waited and were served by priority.
    expect(order).toEqual(['l0', 'h0', 'h1', 'n0', 'n1', 'l1', 'l2', 'l3']);
  });
});

describe('delays embedded', () => {
  it('delayMs and notBefore hold a task back; a cancelled run does not wait them out', async () => {
    await using engine = await createEngine();
    const started: Record<string, number> = {};
    engine.registerHandler('t.at', (input: { tag: string }) => (started[input.tag] = Date.now()));
    const t0 = Date.now();
    await engine.run({
      name: 'later',
      steps: [
        { id: 'a', task: 't.at', delayMs: 300, input: { tag: 'a' } },
        { id: 'b', task: 't.at', notBefore: new Date(t0 + 400).toISOString(), input: { tag: 'b' } },
        { id: 'c', task: 't.at', notBefore: new Date(t0 - 60_000).toISOString(), input: { tag: 'c' } },
      ],
    });
    expect(started['a']! - t0).toBeGreaterThanOrEqual(300);
    expect(started['b']! - t0).toBeGreaterThanOrEqual(399);
    expect(started['c']! - t0).toBeLessThan(300);

    const stop = new AbortController();
    const run = engine.run({ name: 'never', steps: [{ id: 'x', task: 't.at', delayMs: 600_000, input: { tag: 'x' } }] }, {}, { signal: stop.signal });
    stop.abort();
    await expect(run).rejects.toMatchObject({ result: { status: 'cancelled' } });
    expect(started['x']).toBeUndefined();
  });

  it('the validator bounds priority, delayMs and notBefore, naming the field', async () => {
    const step = (extra: Record<string, unknown>) => ({ name: 'p', steps: [{ id: 's', task: 't', ...extra }] });
    const issue = async (extra: Record<string, unknown>) =>
      validatePipeline(step(extra), { taskTypes: ['t'] }).then(
        () => '',
        (e: Error) => e.message,
      );
    expect(await issue({ delayMs: 8 * 86_400_000 })).toMatch(/steps\[0\]\.delayMs.*at most 604800000/);
    expect(await issue({ delayMs: -1 })).toMatch(/steps\[0\]\.delayMs/);
    expect(await issue({ notBefore: 'tomorrow' })).toMatch(/steps\[0\]\.notBefore.*ISO time/);
    expect(await issue({ notBefore: new Date(Date.now() + 30 * 86_400_000).toISOString() })).toMatch(/steps\[0\]\.notBefore.*7 days/);
    expect(await issue({ priority: 1001 })).toMatch(/steps\[0\]\.priority.*at most 1000/);
    expect(await issue({ priority: 1.5 })).toMatch(/steps\[0\]\.priority/);
    expect(await issue({ priority: -1000, delayMs: 0, notBefore: new Date().toISOString() })).toBe('');
  });
});
