/**
 * bench:embedded — pipeline overhead on the embedded runtime: a 3-step sequential pipeline and a
 * 10-way fan-out, with tracing off (no SDK) and on (the real SDK, batch processor, spans counted
 * and dropped by the exporter so export cost does not hide engine cost).
 */
import 'reflect-metadata';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createEngine, pipeline, ref, stepOutput, type Engine, type PipelineDefinition } from '@weft/engine';
import { mean, percentile, printTable, writeReport } from '../test-support/bench-report.js';
import { CountingExporter } from './lib/counting-exporter.js';

const sequential: PipelineDefinition = pipeline('seq3')
  .step('a', 'inc', { input: { n: ref('input.n') } })
  .step('b', 'inc', { input: { n: stepOutput('a') }, dependsOn: ['a'] })
  .step('c', 'inc', { input: { n: stepOutput('b') }, dependsOn: ['b'] })
  .build();

const fanout: PipelineDefinition = {
  name: 'fan10',
  steps: [
    { id: 'src', task: 'range', input: { n: 10 } },
    { id: 'each', task: 'inc', dependsOn: ['src'], forEach: { $ref: 'steps.src.output' }, input: { n: { $ref: 'item' } } },
    { id: 'sum', task: 'sum', dependsOn: ['each'], input: { xs: { $ref: 'steps.each.output' } } },
  ],
};

function register(engine: Engine): void {
  engine.registerHandler('inc', ({ n }: { n: number }) => n + 1);
  engine.registerHandler('range', ({ n }: { n: number }) => Array.from({ length: n }, (_, i) => i));
  engine.registerHandler('sum', ({ xs }: { xs: number[] }) => xs.reduce((a, b) => a + b, 0));
}

async function measure(engine: Engine, p: PipelineDefinition, iterations: number, tasksPerRun: number) {
  for (let i = 0; i < 500; i++) await engine.run(p, { n: i }); // warm up the JIT
  const samples: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const s = performance.now();
    await engine.run(p, { n: i });
    samples.push(performance.now() - s);
  }
  const elapsed = (performance.now() - t0) / 1000;
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), mean: mean(samples), tasksPerSec: (iterations * tasksPerRun) / elapsed };
}

async function scenario(tracing: boolean) {
  const exporter = new CountingExporter();
  const provider = tracing
    ? new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 65_536, maxExportBatchSize: 2048 })] })
    : undefined;
  const engine = await createEngine({ ...(provider ? { tracerProvider: provider } : {}), config: { workers: [{ id: 'local', concurrency: 16 }] } });
  register(engine);
  const seq = await measure(engine, sequential, 5000, 3);
  const fan = await measure(engine, fanout, 2000, 12);
  await engine.close();
  await provider?.shutdown();
  return { seq, fan, spans: exporter.count };
}

const off = await scenario(false);
const on = await scenario(true);
const rows = [
  { pipeline: '3-step sequential', tracing: 'off', p50_ms: off.seq.p50, p99_ms: off.seq.p99, tasks_per_s: Math.round(off.seq.tasksPerSec) },
  { pipeline: '3-step sequential', tracing: 'on', p50_ms: on.seq.p50, p99_ms: on.seq.p99, tasks_per_s: Math.round(on.seq.tasksPerSec) },
  { pipeline: '10-way fan-out', tracing: 'off', p50_ms: off.fan.p50, p99_ms: off.fan.p99, tasks_per_s: Math.round(off.fan.tasksPerSec) },
  { pipeline: '10-way fan-out', tracing: 'on', p50_ms: on.fan.p50, p99_ms: on.fan.p99, tasks_per_s: Math.round(on.fan.tasksPerSec) },
];
printTable(`embedded runtime (${on.spans} spans exported with tracing on)`, rows);

writeReport(
  'embedded',
  {
    seq3_p50_ms_tracing_off: off.seq.p50,
    seq3_p99_ms_tracing_off: off.seq.p99,
    seq3_p50_ms_tracing_on: on.seq.p50,
    seq3_p99_ms_tracing_on: on.seq.p99,
    seq3_tracing_cost_ratio: on.seq.p50 / off.seq.p50,
    seq3_tasks_per_s_tracing_off: off.seq.tasksPerSec,
    fan10_p50_ms_tracing_off: off.fan.p50,
    fan10_p99_ms_tracing_off: off.fan.p99,
    fan10_p50_ms_tracing_on: on.fan.p50,
    fan10_tracing_cost_ratio: on.fan.p50 / off.fan.p50,
    fan10_tasks_per_s_tracing_off: off.fan.tasksPerSec,
    fan10_tasks_per_s_tracing_on: on.fan.tasksPerSec,
  },
  {
    seq3_p50_ms_tracing_off: { op: '<=', value: 0.5 },
    seq3_tracing_cost_ratio: { op: '<=', value: 2 },
  },
);
