/**
 * One side of bench:observe's metrics measurement, in a process of its own: an embedded 1,000-task
 * fan-out, tracing on (batch processor, spans counted and dropped), with or without the metrics
 * SDK (a MeterProvider with a reader, every instrument live). Prints the median tasks/s and CPU
 * ms per run over its rounds, after a warm-up, as JSON.
 */
import 'reflect-metadata';
import { MeterProvider, PeriodicExportingMetricReader, InMemoryMetricExporter, AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createEngine, type Engine, type PipelineDefinition } from '@weft/engine';
import { CountingExporter } from './counting-exporter.js';
import { percentile } from '../../test-support/bench-report.js';

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

const metrics = process.argv[2] === 'metrics';
const rounds = Number(process.argv[3] ?? 100);
const { engine, close } = await side(metrics);
for (let i = 0; i < 20; i++) await round(engine);
const runs: { perSec: number; cpuMs: number }[] = [];
for (let i = 0; i < rounds; i++) runs.push(await round(engine));
await close();
const median = (k: 'perSec' | 'cpuMs'): number =>
  percentile(
    runs.map((r) => r[k]),
    50,
  );
process.stdout.write(JSON.stringify({ perSec: median('perSec'), cpuMs: median('cpuMs') }));
