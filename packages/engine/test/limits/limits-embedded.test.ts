/**
 * Per-key limits on the embedded runtime: concurrency and rate per key hold, a saturated key
 * never holds back another, and bad declarations are refused with their path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, pipeline, type Engine } from '@weft/engine';
import { rejection, tracedEngine, type TracedEngine } from '../helpers.js';
import { peakConcurrency, peakStartsPerWindow } from './limit-checks.js';
import limitsPlugin, { log } from './limits-plugin.js';

const items = (tenant: string, n: number, ms: number) => Array.from({ length: n }, () => ({ tenant, ms }));
const limited = { input: { tenant: { $ref: 'item.tenant' }, ms: { $ref: 'item.ms' } }, limitKey: { $ref: 'item.tenant' } } as const;

describe('per-key limits, embedded', () => {
  let t: TracedEngine;
  beforeAll(async () => {
    t = await tracedEngine({ plugins: [limitsPlugin], config: { workers: [1, 2, 3].map((i) => ({ id: `w${i}`, concurrency: 4 })) } });
  });
  afterAll(() => t.engine.close());

  it('keeps each key within its concurrency while the other key runs on', async () => {
    log.length = 0;
    const p = pipeline('conc')
      .step('a', 'lim.work', { ...limited, forEach: items('A', 10, 30), concurrency: 2 })
      .step('b', 'lim.work', { ...limited, forEach: items('B', 10, 30), concurrency: 3 })
      .build();
    await t.engine.run(p);
    expect(peakConcurrency(log, 'A')).toBe(2);
    expect(peakConcurrency(log, 'B')).toBe(3);
    const waits = t.exporter.getFinishedSpans().filter((s) => s.name === 'weft.decision.limit');
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]!.attributes['weft.limit.reason']).toBe('concurrency');
  });

  it('keeps a key within max starts per perMs (tolerance: windows 30 ms short of perMs)', async () => {
    log.length = 0;
    const p = pipeline('rate')
      .step('c', 'lim.work', { ...limited, forEach: items('C', 25, 1), rate: { max: 5, perMs: 200 } })
      .build();
    await t.engine.run(p);
    // Starts are stamped in the handler, after admission by however long a loaded machine takes.
    expect(peakStartsPerWindow(log, 'C', 170)).toBeLessThanOrEqual(5);
    const span = Math.max(...log.map((s) => s.start)) - Math.min(...log.map((s) => s.start));
    expect(span).toBeGreaterThanOrEqual(750);
  });

  it("lets one key's tasks pass while another key is saturated", async () => {
    log.length = 0;
    const p = pipeline('other')
      .step('slow', 'lim.work', { ...limited, forEach: items('S', 6, 60), concurrency: 1 })
      .step('fast', 'lim.work', { ...limited, forEach: items('F', 8, 1), concurrency: 2 })
      .build();
    await t.engine.run(p);
    const lastFast = Math.max(...log.filter((s) => s.key === 'F').map((s) => s.end));
    const slowEnds = log.filter((s) => s.key === 'S').map((s) => s.end);
    // The fast key finished before the saturated key's second task did.
    expect(slowEnds.filter((e) => e <= lastFast).length).toBeLessThanOrEqual(1);
  });
});

describe('limit declarations', () => {
  let engine: Engine;
  beforeAll(async () => (engine = await createEngine({ plugins: [limitsPlugin] })));
  afterAll(() => engine.close());

  it('refuses a limit without a key, a key without a limit, and a key from step outputs', async () => {
    const noKey = await rejection(engine.run(pipeline('x').step('s', 'lim.work', { concurrency: 2 }).build()));
    expect(noKey.code).toBe('WEFT_PIPELINE_INVALID');
    expect(noKey.message).toContain('steps[0].concurrency');
    const noLimit = await rejection(engine.run(pipeline('x').step('s', 'lim.work', { limitKey: 'k' }).build()));
    expect(noLimit.message).toContain('steps[0].limitKey');
    const fromOutput = await rejection(
      engine.run(
        pipeline('x')
          .step('a', 'lim.work')
          .step('s', 'lim.work', { dependsOn: ['a'], limitKey: { $ref: 'steps.a.output' }, concurrency: 1 })
          .build(),
      ),
    );
    expect(fromOutput.message).toContain('steps[1].limitKey');
  });

  it('fails a task whose key resolves to an object, naming the step', async () => {
    const p = pipeline('x')
      .step('s', 'lim.work', { input: { tenant: 'a', ms: 1 }, limitKey: { $ref: 'input.who' }, concurrency: 1 })
      .build();
    const err = await rejection(engine.run(p, { who: { nested: true } }));
    const step = (err as unknown as { result: { steps: Record<string, { error: { code: string; message: string } }> } }).result.steps['s']!;
    expect(step.error.code).toBe('WEFT_LIMIT_KEY_INVALID');
    expect(step.error.message).toContain('steps.s.limitKey');
  });

  it('refuses invalid handler limits at registration', () => {
    expect(() => engine.registerHandler('bad.lim', () => 1, { concurrency: 2 })).toThrow(/limitKey/);
    expect(() => engine.registerHandler('bad.lim2', () => 1, { limitKey: { $ref: 'item.x' }, concurrency: 2 })).toThrow(/limitKey/);
  });
});
