import { describe, expect, it } from 'vitest';
import { definePlugin, NonRetryableError, type BalancingStrategy, type Predictor } from '@weft/engine';
import { Attr, SpanNames } from '@weft/engine/tracing';
import { parentId, tracedEngine } from './helpers.js';

describe('trace shape', () => {
  it('one trace per run: run span > step spans > decision and execution spans', async () => {
    const { engine, spans } = await tracedEngine({ config: { workers: [{ id: 'w1' }, { id: 'w2' }] } });
    let n = 0;
    engine.registerHandler('t', () => {
      if (n++ === 0) throw new Error('transient');
      return n;
    });
    engine.registerHandler('u', () => 'u');
    await engine.run({
      name: 'shape',
      steps: [
        { id: 'a', task: 't', retries: { attempts: 1, backoff: { delayMs: 1 } } },
        { id: 'b', task: 'u', dependsOn: ['a'], when: { ref: 'steps.a.output', eq: 99 } },
      ],
    });
    const [run] = spans(SpanNames.PIPELINE_RUN);
    expect(run).toBeDefined();
    expect(run!.attributes[Attr.PIPELINE_NAME]).toBe('shape');
    expect(run!.attributes[Attr.RUN_STATUS]).toBe('succeeded');
    const traceIds = new Set(spans().map((s) => s.spanContext().traceId));
    expect(traceIds.size).toBe(1);

    const steps = spans(SpanNames.STEP);
    expect(steps.map((s) => s.attributes[Attr.STEP_ID]).sort()).toEqual(['a', 'b']);
    for (const s of steps) expect(parentId(s)).toBe(run!.spanContext().spanId);
    const stepA = steps.find((s) => s.attributes[Attr.STEP_ID] === 'a')!;
    const stepB = steps.find((s) => s.attributes[Attr.STEP_ID] === 'b')!;

    const routes = spans(SpanNames.DECISION_ROUTE);
    expect(routes).toHaveLength(2);
    for (const r of routes) {
      expect(parentId(r)).toBe(stepA.spanContext().spanId);
      expect(r.attributes[Attr.DECISION_STRATEGY]).toBe('default');
      expect(r.attributes[Attr.DECISION_CANDIDATE_COUNT]).toBe(2);
      expect(r.attributes[Attr.DECISION_CANDIDATES]).toEqual(['w1', 'w2']);
      expect(['w1', 'w2']).toContain(r.attributes[Attr.DECISION_CHOICE]);
      expect(String(r.attributes[Attr.DECISION_REASON])).toMatch(/^least in flight/);
    }
    const execs = spans(SpanNames.TASK_EXECUTE);
    expect(execs.map((e) => [e.attributes[Attr.TASK_ATTEMPT], e.attributes[Attr.TASK_OUTCOME]])).toEqual([
      [1, 'failure'],
      [2, 'success'],
    ]);
    expect(execs[0]!.attributes[Attr.ERROR_TYPE]).toBe('WEFT_TASK_FAILED');
    // Each attempt's execution is a child of that attempt's route decision.
    for (const e of execs) {
      const route = routes.find((r) => r.attributes[Attr.TASK_ATTEMPT] === e.attributes[Attr.TASK_ATTEMPT])!;
      expect(parentId(e)).toBe(route.spanContext().spanId);
    }

    const [retry] = spans(SpanNames.DECISION_RETRY);
    expect(retry!.attributes).toMatchObject({
      [Attr.RETRY_ATTEMPT]: 1,
      [Attr.RETRY_WILL_RETRY]: true,
      [Attr.DECISION_CHOICE]: 'retry',
      [Attr.DECISION_REASON]: `Task "a" (t) failed on worker ${String(execs[0]!.attributes[Attr.TASK_WORKER])}: transient`,
    });

    const [skip] = spans(SpanNames.DECISION_SKIP);
    expect(parentId(skip!)).toBe(stepB.spanContext().spanId);
    expect(skip!.attributes[Attr.DECISION_CHOICE]).toBe('skip');
    await engine.close();
  });

  it('records the predictor, the strategy it fell back to, and their scores', async () => {
    const firstStrategy: BalancingStrategy = {
      name: 'first',
      select: (_t, c) => ({ workerId: c[0]!.id, reason: 'always the first', scores: c.map((w, i) => ({ workerId: w.id, score: 1 / (i + 1) })) }),
    };
    let confident = false;
    const predictor: Predictor = {
      name: 'oracle',
      predict: (_t, c) =>
        confident
          ? { choice: c[1]!.id, confidence: 0.93, modelVersion: 'v7', scores: c.map((w) => ({ workerId: w.id, score: w.id === c[1]!.id ? 0.9 : 0.1 })) }
          : { confidence: 0.2, modelVersion: 'v7', scores: [], fallbackReason: 'cold' },
    };
    const plugin = definePlugin({
      name: 'routing',
      version: '1.0.0',
      engine: '*',
      setup(ctx) {
        ctx.registerStrategy(firstStrategy);
        ctx.setPredictor(predictor);
      },
    });
    const { engine, spans, exporter } = await tracedEngine({ plugins: [plugin], config: { workers: [{ id: 'w1' }, { id: 'w2' }, { id: 'w3' }] } });
    engine.registerHandler('t', (_: unknown, ctx) => ctx.workerId);
    const cold = await engine.run({ name: 'p', steps: [{ id: 's', task: 't' }] });
    expect(cold.output).toEqual({ s: 'w1' });
    let [predict] = spans(SpanNames.DECISION_PREDICT);
    let [route] = spans(SpanNames.DECISION_ROUTE);
    expect(predict!.attributes).toMatchObject({
      [Attr.DECISION_FALLBACK]: true,
      [Attr.DECISION_REASON]: 'cold',
      [Attr.DECISION_MODEL_VERSION]: 'v7',
      [Attr.DECISION_CONFIDENCE]: 0.2,
    });
    expect(route!.attributes).toMatchObject({
      [Attr.DECISION_STRATEGY]: 'first',
      [Attr.DECISION_CHOICE]: 'w1',
      [Attr.DECISION_REASON]: 'always the first',
      [Attr.DECISION_SCORES]: ['w1=1', 'w2=0.5', 'w3=0.3333'],
    });

    exporter.reset();
    confident = true;
    const warm = await engine.run({ name: 'p', steps: [{ id: 's', task: 't' }] });
    expect(warm.output).toEqual({ s: 'w2' });
    [predict] = spans(SpanNames.DECISION_PREDICT);
    [route] = spans(SpanNames.DECISION_ROUTE);
    expect(predict!.attributes).toMatchObject({ [Attr.DECISION_FALLBACK]: false, [Attr.DECISION_CHOICE]: 'w2' });
    expect(route!.attributes).toMatchObject({
      [Attr.DECISION_STRATEGY]: 'predictor',
      [Attr.DECISION_CHOICE]: 'w2',
      [Attr.DECISION_REASON]: 'predictor confident (0.93)',
    });
    await engine.close();
  });

  it('a failed run marks its spans as errors with error.type', async () => {
    const { engine, spans } = await tracedEngine();
    engine.registerHandler('bad', () => {
      throw new NonRetryableError('nope');
    });
    await expect(engine.run({ name: 'p', steps: [{ id: 'x', task: 'bad' }] })).rejects.toThrow();
    const [run] = spans(SpanNames.PIPELINE_RUN);
    expect(run!.status.code).toBe(2);
    expect(run!.attributes[Attr.ERROR_TYPE]).toBe('WEFT_RUN_FAILED');
    const [retry] = spans(SpanNames.DECISION_RETRY);
    expect(retry!.attributes[Attr.DECISION_CHOICE]).toBe('give-up');
    expect(String(retry!.attributes[Attr.DECISION_REASON])).toBe('not retryable: nope');
    await engine.close();
  });
});
