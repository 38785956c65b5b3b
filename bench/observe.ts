/**
 * bench:observe — what metrics cost: an embedded 1,000-task fan-out, tracing on (batch
 * processor, spans counted and dropped) with and without the metrics SDK (a MeterProvider with a
 * reader, every instrument live). Rounds alternate between the two sides; the ratio is of the
 * median throughputs. Then the dashboard in a real browser (lib/dashboard-bench.ts): first load
 * with 100 workers and 1,000 runs, a step's completion reaching the page (p95), its RSS.
 */
import 'reflect-metadata';
import { MeterProvider, PeriodicExportingMetricReader, InMemoryMetricExporter, AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createEngine, type Engine, type PipelineDefinition } from '@weft/engine';
import { CountingExporter } from './lib/counting-exporter.js';
import { dashboardBench } from './lib/dashboard-bench.js';
import { percentile, printTable, writeReport } from '../test-support/bench-report.js';

const fanout: PipelineDefinition = {
  name: 'fan1000',
  steps: [
    { id: 'src', task: 'range', input: { n: 1000 } },
    { id: 'each', task: 'inc', dependsOn: ['src'], forEach: { $ref: 'steps.src.output' }, input: { n: { $ref: 'item' } } },
  ],
};

async function side(metrics: boolean): Promise<{ engine: Engine; close: () => Promise<void> }> {
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new CountingExporter(), { maxQueueSize: 65_536, maxExportBatchSize: 2048 })],
  });
  const meterProvider = metrics
    ? new MeterProvider({
        readers: [new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 1000 })],
      })
    : undefined;
  const engine = await createEngine({
    tracerProvider,
    ...(meterProvider ? { meterProvider } : {}),
    config: {
      workers: [
        { id: 'a', concurrency: 16 },
        { id: 'b', concurrency: 16 },
      ],
    },
  });
  engine.registerHandler('inc', ({ n }: { n: number }) => n + 1);
  engine.registerHandler('range', ({ n }: { n: number }) => Array.from({ length: n }, (_, i) => i));
  return {
    engine,
    close: async () => {
      await engine.close();
      await tracerProvider.shutdown();
      await meterProvider?.shutdown();
    },
  };
}

async function tasksPerSec(engine: Engine): Promise<number> {
  const t = performance.now();
  await engine.run(fanout, {});
  return 1001 / ((performance.now() - t) / 1000);
}

const tracingOnly = await side(false);
const withMetrics = await side(true);
for (let i = 0; i < 5; i++) {
  await tasksPerSec(tracingOnly.engine);
  await tasksPerSec(withMetrics.engine);
}
const a: number[] = [];
const b: number[] = [];
for (let i = 0; i < 15; i++) {
  a.push(await tasksPerSec(tracingOnly.engine));
  b.push(await tasksPerSec(withMetrics.engine));
}
await tracingOnly.close();
await withMetrics.close();
const ratio = percentile(b, 50) / percentile(a, 50);
printTable('Embedded 1,000-task fan-out (median of 15 alternating rounds)', [
  { side: 'tracing only', tasks_per_s: Math.round(percentile(a, 50)) },
  { side: 'tracing + metrics', tasks_per_s: Math.round(percentile(b, 50)) },
]);
const dash = await dashboardBench();
printTable('Dashboard (chromium-headless-shell, weft dashboard as a child process)', [
  { metric: 'first load, 100 workers + 1,000 runs (median of 3), ms', value: Math.round(dash.loadMs) },
  { metric: `step completion to page, p95 of ${dash.updateSamples}, ms`, value: Math.round(dash.updateP95Ms) },
  { metric: 'dashboard process RSS, MB', value: Math.round(dash.rssMb) },
]);
writeReport(
  'observe',
  {
    metrics_overhead_ratio: Number(ratio.toFixed(3)),
    dashboard_load_ms: Math.round(dash.loadMs),
    dashboard_update_p95_ms: Math.round(dash.updateP95Ms),
    dashboard_rss_mb: Math.round(dash.rssMb),
  },
  {
    metrics_overhead_ratio: { op: '>=', value: 0.9 },
    dashboard_load_ms: { op: '<=', value: 1000 },
    dashboard_update_p95_ms: { op: '<=', value: 500 },
    dashboard_rss_mb: { op: '<=', value: 150 },
  },
);
