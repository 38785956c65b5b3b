/**
 * bench:observe — what metrics cost: an embedded 1,000-task fan-out, tracing on (batch
 * processor, spans counted and dropped) with and without the metrics SDK (a MeterProvider with a
 * reader, every instrument live). Rounds alternate between the two sides; the ratio is of the
 * median throughputs. The dashboard metrics of the issue are not measured yet (no dashboard).
 */
import 'reflect-metadata';
import { MeterProvider, PeriodicExportingMetricReader, InMemoryMetricExporter, AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createEngine, type Engine, type PipelineDefinition } from '@weft/engine';
import { CountingExporter } from './lib/counting-exporter.js';
import { percentile, printTable, writeReport } from './lib/report.js';

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
writeReport('observe', { metrics_overhead_ratio: Number(ratio.toFixed(3)) }, { metrics_overhead_ratio: { op: '>=', value: 0.9 } });
