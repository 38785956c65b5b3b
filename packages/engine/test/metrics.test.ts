/**
 * The engine's metrics, read back from the OpenTelemetry metrics SDK: tasks by type and worker
 * (started, completed, failed, duration, queue wait, in flight), routing decisions, predictor
 * fallbacks, confidence and model version, cache lookups, retries and runs by status.
 */
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createEngine, definePlugin, NonRetryableError, pipeline, ref } from '@weft/engine';
import type { Prediction } from '@weft/engine/contracts';
import { MetricNames } from '@weft/engine/tracing';

async function collect(reader: PeriodicExportingMetricReader, exporter: InMemoryMetricExporter): Promise<Map<string, MetricData>> {
  await reader.forceFlush();
  const all = exporter
    .getMetrics()
    .at(-1)!
    .scopeMetrics.flatMap((s) => s.metrics);
  return new Map(all.map((m) => [m.descriptor.name, m]));
}

/** Sum of a counter's points whose attributes include `where`. */
function sum(m: Map<string, MetricData>, name: string, where: Record<string, unknown> = {}): number {
  const points = (m.get(name)?.dataPoints ?? []) as DataPoint<number>[];
  return points.filter((p) => Object.entries(where).every(([k, v]) => p.attributes[k] === v)).reduce((a, p) => a + p.value, 0);
}

function histogramCount(m: Map<string, MetricData>, name: string, where: Record<string, unknown> = {}): number {
  const points = (m.get(name)?.dataPoints ?? []) as DataPoint<Histogram>[];
  return points.filter((p) => Object.entries(where).every(([k, v]) => p.attributes[k] === v)).reduce((a, p) => a + p.value.count, 0);
}

describe('engine metrics', () => {
  it('counts what a run did, by task type, worker, decider and outcome', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const meterProvider = new MeterProvider({ readers: [reader] });
    let predictions = 0;
    const observed = definePlugin({
      name: 'observed',
      version: '1.0.0',
      engine: '*',
      setup(ctx) {
        ctx.setResultCache({
          name: 'test-cache',
          lookup: async (task) => (task.type === 'cached' ? { output: 'from cache', similarity: 1, tier: 'memory', entryKey: 'k' } : undefined),
          store: async () => {},
        });
        // The first prediction falls back (cold), the rest choose worker b with confidence 0.8.
        ctx.setPredictor({
          name: 'test-predictor',
          predict: (_task, candidates): Prediction =>
            predictions++ === 0
              ? { confidence: 0.1, scores: [], modelVersion: 'm1', fallbackReason: 'cold' }
              : { confidence: 0.8, scores: [], modelVersion: 'm2', choice: candidates.find((c) => c.id === 'b')?.id ?? candidates[0]!.id },
        });
      },
    });
    const engine = await createEngine({ meterProvider, plugins: [observed], config: { workers: [{ id: 'a' }, { id: 'b' }] } });
    let flaky = 0;
    engine.registerHandler('echo', (n: number) => n);
    engine.registerHandler('cached', () => 'ran');
    engine.registerHandler('flaky', () => {
      if (flaky++ === 0) throw new Error('first attempt fails');
      return 'ok';
    });
    engine.registerHandler('broken', () => {
      throw new NonRetryableError('always');
    });
    const p = pipeline('observed')
      .step('fan', 'echo', { forEach: ref('input.items'), input: ref('item') })
      .step('cache', 'cached', { input: {} })
      .step('flaky', 'flaky', { input: {}, retries: { attempts: 2, backoff: { delayMs: 1 } } })
      .build();
    await engine.run(p, { items: [1, 2, 3, 4, 5] });
    await engine.run(pipeline('fails').step('x', 'broken', { input: {} }).build(), {}).catch(() => {});
    const m = await collect(reader, exporter);
    await engine.close();

    // 5 items + flaky twice + broken once ran on a worker; the cached step never reached one.
    expect(sum(m, MetricNames.TASKS_STARTED)).toBe(8);
    expect(sum(m, MetricNames.TASKS_STARTED, { 'weft.task.type': 'echo' })).toBe(5);
    expect(sum(m, MetricNames.TASKS_STARTED, { 'weft.task.type': 'cached' })).toBe(0);
    expect(sum(m, MetricNames.TASKS_COMPLETED)).toBe(6);
    expect(sum(m, MetricNames.TASKS_FAILED, { 'weft.task.type': 'flaky', 'error.type': 'WEFT_TASK_FAILED' })).toBe(1);
    expect(sum(m, MetricNames.TASKS_FAILED, { 'weft.task.type': 'broken', 'error.type': 'NonRetryableError' })).toBe(1);
    // The predictor sent every routed task after the first to worker b, except the retry of flaky:
    // a retry goes to another capable worker than the one that failed it, so it ran on a.
    expect(sum(m, MetricNames.TASKS_STARTED, { 'weft.task.worker': 'b' })).toBeGreaterThanOrEqual(6);
    expect(sum(m, MetricNames.TASKS_STARTED, { 'weft.task.type': 'flaky', 'weft.task.worker': 'b' })).toBe(1);
    expect(sum(m, MetricNames.TASKS_STARTED, { 'weft.task.type': 'flaky', 'weft.task.worker': 'a' })).toBe(1);
    expect(histogramCount(m, MetricNames.TASK_DURATION)).toBe(8);
    expect(histogramCount(m, MetricNames.TASK_QUEUE_WAIT, { 'weft.task.type': 'echo' })).toBe(5);
    expect(sum(m, MetricNames.WORKER_IN_FLIGHT)).toBe(0);
    expect(sum(m, MetricNames.ROUTING_DECISIONS)).toBe(8);
    expect(sum(m, MetricNames.ROUTING_DECISIONS, { 'weft.decision.strategy': 'default', 'weft.decision.decider': 'predictor' })).toBe(7);
    expect(sum(m, MetricNames.PREDICTOR_FALLBACKS, { 'weft.decision.strategy': 'test-predictor' })).toBe(1);
    expect(histogramCount(m, MetricNames.PREDICTOR_CONFIDENCE)).toBe(8);
    expect(m.get(MetricNames.PREDICTOR_MODEL)?.dataPoints.map((d) => d.attributes['weft.decision.model_version'])).toEqual(['m2']);
    expect(sum(m, MetricNames.CACHE_LOOKUPS, { 'weft.cache.outcome': 'hit', 'weft.cache.tier': 'memory' })).toBe(1);
    expect(sum(m, MetricNames.CACHE_LOOKUPS, { 'weft.cache.outcome': 'miss' })).toBe(7);
    expect(sum(m, MetricNames.TASK_RETRIES, { 'weft.task.type': 'flaky' })).toBe(1);
    expect(sum(m, MetricNames.RUNS, { 'weft.run.status': 'succeeded' })).toBe(1);
    expect(sum(m, MetricNames.RUNS, { 'weft.run.status': 'failed' })).toBe(1);
    expect(histogramCount(m, MetricNames.RUN_DURATION)).toBe(2);
  });
});
