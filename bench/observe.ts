/**
 * bench:observe — what metrics cost: an embedded 1,000-task fan-out, tracing on (batch
 * processor, spans counted and dropped) with and without the metrics SDK (a MeterProvider with a
 * reader, every instrument live). Rounds alternate between the two sides, in ABBA order (so
 * neither side always runs in the other's wake: its garbage, its batch exports); the ratio is of
 * the median throughputs, and of the median CPU times (process.cpuUsage: steadier than wall time
 * on a shared machine). Then the dashboard in a real browser (lib/dashboard-bench.ts): first load
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

/** One run of the fan-out: tasks per second of wall time, and CPU ms this process spent on it. */
async function round(engine: Engine): Promise<{ perSec: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await engine.run(fanout, {});
  const wall = performance.now() - t;
  const used = process.cpuUsage(cpu);
  return { perSec: 1001 / (wall / 1000), cpuMs: (used.user + used.system) / 1000 };
}

const ROUNDS = 40;
const tracingOnly = await side(false);
const withMetrics = await side(true);
for (let i = 0; i < 5; i++) {
  await round(tracingOnly.engine);
  await round(withMetrics.engine);
}
const a: { perSec: number; cpuMs: number }[] = [];
const b: { perSec: number; cpuMs: number }[] = [];
for (let i = 0; i < ROUNDS; i++) {
  if (i % 2 === 0) {
    a.push(await round(tracingOnly.engine));
    b.push(await round(withMetrics.engine));
  } else {
    b.push(await round(withMetrics.engine));
    a.push(await round(tracingOnly.engine));
  }
}
await tracingOnly.close();
await withMetrics.close();
const median = (xs: { perSec: number; cpuMs: number }[], k: 'perSec' | 'cpuMs'): number =>
  percentile(
    xs.map((x) => x[k]),
    50,
  );
const ratio = median(b, 'perSec') / median(a, 'perSec');
const cpuRatio = median(a, 'cpuMs') / median(b, 'cpuMs');
printTable(`Embedded 1,000-task fan-out (median of ${ROUNDS} rounds, ABBA order)`, [
  { side: 'tracing only', tasks_per_s: Math.round(median(a, 'perSec')), cpu_ms_per_run: Number(median(a, 'cpuMs').toFixed(1)) },
  { side: 'tracing + metrics', tasks_per_s: Math.round(median(b, 'perSec')), cpu_ms_per_run: Number(median(b, 'cpuMs').toFixed(1)) },
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
    // Tracing-only CPU time over tracing + metrics CPU time, per run: the same ratio by CPU.
    metrics_overhead_cpu_ratio: Number(cpuRatio.toFixed(3)),
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
