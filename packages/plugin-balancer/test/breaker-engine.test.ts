import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { isWeftError, NonRetryableError, pipeline, PipelineRunError, ref, type HandlerContext } from '@weft/engine';
import { Attr, MetricNames, SpanNames } from '@weft/engine/tracing';
import balancer, { BalancerAttr, BalancerStatsToken } from '@weft/plugin-balancer';
import { tracedEngine } from './helpers.js';

describe('circuit breaker in a running engine', () => {
  it('stops sending tasks to a failing worker and records the transition as a weft.decision.breaker span and in the metrics', async () => {
    const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
    const { engine, spans } = await tracedEngine({
      meterProvider: new MeterProvider({ readers: [reader] }),
      config: {
        workers: [
          { id: 'sick', concurrency: 2 },
          { id: 'well', concurrency: 2 },
        ],
        routing: { strategy: 'round-robin' },
      },
      plugins: [{ plugin: balancer, config: { breaker: { failureThreshold: 2, cooldownMs: 60_000 } } }],
    });
    const ranOn: string[] = [];
    engine.registerHandler('work', async (_input: unknown, ctx: HandlerContext) => {
      ranOn.push(ctx.workerId);
      if (ctx.workerId === 'sick') throw new Error('disk full');
      return ctx.workerId;
    });
    const p = pipeline('p')
      .configure({ maxParallel: 1 })
      .step('each', 'work', { input: ref('item'), forEach: ref('input.items'), retries: { attempts: 3, backoff: { type: 'fixed', delayMs: 1 } }, cache: false })
      .build();
    const res = await engine.run(p, { items: Array.from({ length: 12 }, (_, i) => i) });
    expect(res.outputs['each']).toEqual(Array(12).fill('well'));
    expect(ranOn.filter((w) => w === 'sick')).toHaveLength(2);

    const [breakerSpan, ...more] = spans(SpanNames.DECISION_BREAKER);
    expect(more).toHaveLength(0);
    expect(breakerSpan!.attributes).toMatchObject({
      [BalancerAttr.WORKER]: 'sick',
      [BalancerAttr.STRATEGY]: 'circuit-breaker',
      [BalancerAttr.CHOICE]: 'open',
      [BalancerAttr.BREAKER_FROM]: 'closed',
      [BalancerAttr.BREAKER_TO]: 'open',
      [BalancerAttr.BREAKER_FAILURES]: 2,
      [BalancerAttr.BREAKER_REQUESTS]: 2,
      [BalancerAttr.BREAKER_FAILURE_RATE]: 1,
      [BalancerAttr.BREAKER_COOLDOWN_MS]: 60_000,
    });
    expect(String(breakerSpan!.attributes[BalancerAttr.REASON])).toContain('2 failures');
    // Route decisions made while it was open list the refusal.
    const refused = spans(SpanNames.DECISION_ROUTE).flatMap((s) => (s.attributes[Attr.DECISION_REFUSED] as string[] | undefined) ?? []);
    expect(refused).toContain('sick:breaker-open');

    const snap = engine.container.resolve(BalancerStatsToken).snapshot();
    expect(snap.workers.find((w) => w.workerId === 'sick')).toMatchObject({ decisions: 2, breaker: 'open', byStrategy: { 'round-robin': 2 } });
    expect(snap.workers.find((w) => w.workerId === 'well')).toMatchObject({ breaker: 'closed' });

    await reader.forceFlush();
    const recorded = new Map(
      metricExporter
        .getMetrics()
        .at(-1)!
        .scopeMetrics.flatMap((sm) => sm.metrics)
        .map((m) => [m.descriptor.name, m.dataPoints as DataPoint<number>[]]),
    );
    expect(recorded.get(MetricNames.BREAKER_TRANSITIONS)?.map((d) => [d.attributes, d.value])).toEqual([
      [{ 'weft.task.worker': 'sick', 'weft.breaker.state': 'open' }, 1],
    ]);
    expect(recorded.get(MetricNames.BREAKERS_OPEN)?.map((d) => d.value)).toEqual([1]);
    await engine.close();
  });

  it('fails with WEFT_NO_WORKER_AVAILABLE naming the capability when every capable worker is open', async () => {
    const { engine } = await tracedEngine({
      config: { workers: [{ id: 'only', concurrency: 1, capabilities: ['lang:python'] }], routing: { waitForCapacityMs: 30 } },
      plugins: [{ plugin: balancer, config: { breaker: { failureThreshold: 1, cooldownMs: 60_000 } } }],
    });
    engine.registerHandler(
      'lint',
      async () => {
        throw new Error('crashed');
      },
      { capabilities: ['lang:python'] },
    );
    const p = pipeline('p').step('lint', 'lint', { cache: false }).build();
    await expect(engine.run(p)).rejects.toBeInstanceOf(PipelineRunError);
    const err = await engine.run(p).catch((e: unknown) => e);
    expect(isWeftError(err)).toBe(true);
    const failure = (err as PipelineRunError).failures[0]!;
    expect(failure.code).toBe('WEFT_NO_WORKER_AVAILABLE');
    expect(failure.message).toContain('lang:python');
    expect(failure.message).toContain('only breaker-open');
    await engine.close();
  });

  it('does not blame a worker for input another attempt cannot fix', async () => {
    const { engine } = await tracedEngine({
      config: { workers: [{ id: 'only', concurrency: 1 }] },
      plugins: [{ plugin: balancer, config: { breaker: { failureThreshold: 1 } } }],
    });
    engine.registerHandler('parse', async () => {
      throw new NonRetryableError('bad input');
    });
    const p = pipeline('p').step('parse', 'parse', { cache: false }).build();
    await expect(engine.run(p)).rejects.toBeInstanceOf(PipelineRunError);
    expect(engine.container.resolve(BalancerStatsToken).snapshot().workers[0]).toMatchObject({ breaker: 'closed' });
    await engine.close();
  });
});
