/** Test helpers: an engine with plugin-ml, two embedded workers of different speeds, and real OTel spans. */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createEngine, type CreateEngineOptions, type Engine, type PipelineDefinition } from '@weft/engine';
import { sleep } from '@weft/engine/util';
import mlPlugin, { MlPredictorToken, type MlConfigInput, type MlPredictor } from '@weft/plugin-ml';

export interface MlEngine {
  engine: Engine;
  predictor: MlPredictor;
  spans(name?: string): ReadableSpan[];
}

/** `fast` serves `work` in ~2 ms, `slow` in ~40 ms. */
export async function mlEngine(config: MlConfigInput = {}, options: CreateEngineOptions = {}): Promise<MlEngine> {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const engine = await createEngine({
    config: {
      workers: [
        { id: 'fast', concurrency: 4 },
        { id: 'slow', concurrency: 4 },
      ],
      seed: 3,
    },
    ...options,
    tracerProvider,
    plugins: [{ plugin: mlPlugin, config }],
  });
  engine.registerHandler('work', async (input: { n: number }, ctx) => {
    await sleep(ctx.workerId === 'fast' ? 2 : 40, ctx.signal);
    return input.n * 2;
  });
  return {
    engine,
    predictor: engine.container.resolve(MlPredictorToken),
    spans: (name) => exporter.getFinishedSpans().filter((s) => name === undefined || s.name === name),
  };
}

/** A fan-out of `count` `work` tasks. */
export function fanOut(count: number): { pipeline: PipelineDefinition; input: { items: number[] } } {
  return {
    pipeline: { name: 'fan-out', maxParallel: 8, steps: [{ id: 'each', task: 'work', forEach: { $ref: 'input.items' }, input: { n: { $ref: 'item' } } }] },
    input: { items: Array.from({ length: count }, (_, i) => i) },
  };
}
