/**
 * Isolated handlers (`isolate: 'thread' | 'process'`) on the embedded runtime: a CPU-bound loop
 * is stopped by its timeout and a runaway allocation by its memory cap, both with typed errors,
 * and the same worker then serves 100 more tasks; values that cannot be cloned name their path.
 */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, moduleHandler, pipeline, type Engine } from '@weft/engine';
import { capturedLogger } from '../../../../test-support/captured-logger.js';
import { SpanNames } from '@weft/engine/tracing';
import { failure, rejection } from '../helpers.js';

const mod = new URL('./isolated-handlers.ts', import.meta.url);

describe.each(['thread', 'process'] as const)('isolate: %s', (isolate) => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await createEngine({ config: { workers: [{ id: 'w1', concurrency: 2 }] } });
    engine.registerHandler('spin', moduleHandler({ module: mod, export: 'spin' }), { isolate });
    engine.registerHandler('alloc', moduleHandler({ module: mod, export: 'allocate' }), { isolate, memoryMb: 64 });
    engine.registerHandler('echo', moduleHandler({ module: mod, export: 'echo' }), { isolate });
    engine.registerHandler('fn-out', moduleHandler({ module: mod, export: 'giveFunction' }), { isolate });
    engine.registerHandler('fail', moduleHandler({ module: mod, export: 'fail' }), { isolate });
  });
  afterAll(() => engine.close());

  const one = (task: string, input?: unknown, timeoutMs?: number) =>
    pipeline('one')
      .step('s', task, { input: (input ?? {}) as never, ...(timeoutMs ? { timeoutMs } : {}) })
      .build();
  const stepError = async (task: string, input?: unknown, timeoutMs?: number) => {
    const err = await failure(engine.run(one(task, input, timeoutMs)));
    return err.result.steps['s']!.error!;
  };
  const hundredEchoes = async (): Promise<void> => {
    const p = pipeline('many')
      .step('items', 'echo', { input: { n: 1 } })
      .step('each', 'echo', { dependsOn: ['items'], forEach: Array.from({ length: 100 }, (_, i) => i), input: { i: { $ref: 'item' } } })
      .build();
    const result = await engine.run(p);
    const outs = result.outputs['each'] as { input: { i: number }; pid: number }[];
    expect(outs.map((o) => o.input.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    if (isolate === 'process') expect(outs.every((o) => o.pid !== process.pid)).toBe(true);
  };

  it('stops while (true) {} at its 200 ms timeout with WEFT_TASK_TIMEOUT, then serves 100 more tasks', async () => {
    const started = performance.now();
    const err = await stepError('spin', {}, 200);
    expect(err.code).toBe('WEFT_TASK_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(5000);
    await hundredEchoes();
  });

  it('fails a 1 GB allocation under a 64 MB cap with WEFT_TASK_MEMORY_LIMIT, then serves 100 more tasks', async () => {
    const err = await stepError('alloc');
    expect(err.code).toBe('WEFT_TASK_MEMORY_LIMIT');
    expect(err.message).toContain('64 MB');
    await hundredEchoes();
  });

  it('names the path of an output that cannot be cloned', async () => {
    const err = await stepError('fn-out');
    expect(err.code).toBe('WEFT_TASK_UNCLONEABLE');
    expect(err.message).toMatch(/^output\.fn /);
  });

  it('names the path of an input that cannot be cloned', async () => {
    const p = pipeline('in')
      .step('s', 'echo', { input: { $ref: 'input' } })
      .build();
    const err = await failure(engine.run(p, { nested: [{ fn: () => 1 }] }));
    const stepErr = err.result.steps['s']!.error!;
    expect(stepErr.code).toBe('WEFT_TASK_UNCLONEABLE');
    expect(stepErr.message).toMatch(/^input\.nested\[0\]\.fn /);
  });

  it("keeps a handler's own error message", async () => {
    const err = await stepError('fail');
    expect(err.code).toBe('WEFT_TASK_FAILED');
    expect(err.message).toContain('bad input for fail');
  });
});

describe.each(['thread', 'process'] as const)('isolate: %s, logs and span', (isolate) => {
  it("sends the handler's logs to the worker's logger and its span calls to weft.task.execute, capped per task", async () => {
    const exporter = new InMemorySpanExporter();
    const log = capturedLogger();
    const engine = await createEngine({
      tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
      logger: log.logger,
    });
    try {
      engine.registerHandler('chatty', moduleHandler({ module: mod, export: 'chatty' }), { isolate });
      const result = await engine.run(
        pipeline('chat')
          .step('s', 'chatty', { input: { lines: 300 } })
          .build(),
      );
      const execute = exporter.getFinishedSpans().find((s) => s.name === SpanNames.TASK_EXECUTE)!;
      // Inside, ctx.span carries the execute span's context: the trace can be propagated.
      expect((result.outputs['s'] as { traceId: string }).traceId).toBe(execute.spanContext().traceId);
      expect(execute.attributes['app.items']).toBe(3);
      expect(execute.events.map((e) => [e.name, e.attributes?.['app.stage']])).toContainEqual(['app.checkpoint', 'parse']);
      const records = log.lines();
      const hello = records.find((r) => r['msg'] === 'hello from the sandbox')!;
      expect(hello).toMatchObject({ detail: 'd1', task: expect.any(String), type: 'chatty', isolate, password: '[redacted]' });
      expect(log.text()).not.toContain('hunter2');
      expect(log.text()).not.toContain('below the worker level');
      // 2 span calls + 1 info + 197 of the 300 warnings reach the worker; the rest are counted once.
      expect(records.filter((r) => r['msg'] === 'line')).toHaveLength(197);
      expect(records.find((r) => r['dropped'] !== undefined)).toMatchObject({ dropped: 103, level: 40 });
    } finally {
      await engine.close();
    }
  });
});

describe('isolate options', () => {
  it('refuses isolate for a plain function, and memoryMb without isolate', async () => {
    const engine = await createEngine();
    try {
      const a = await rejection(Promise.resolve().then(() => engine.registerHandler('x', () => 1, { isolate: 'thread' })));
      expect(a.code).toBe('WEFT_CONFIG_INVALID');
      expect(a.message).toContain('moduleHandler');
      const b = await rejection(Promise.resolve().then(() => engine.registerHandler('y', moduleHandler({ module: mod, export: 'echo' }), { memoryMb: 64 })));
      expect(b.code).toBe('WEFT_CONFIG_INVALID');
    } finally {
      await engine.close();
    }
  });
});
