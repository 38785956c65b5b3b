/** Test helpers: an engine with an in-memory span exporter (the real SDK, not a fake tracer). */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createEngine, definePlugin, type CreateEngineOptions, type Engine, type PluginContext } from '@weft/engine';

export interface TracedEngine {
  engine: Engine;
  exporter: InMemorySpanExporter;
  spans(name?: string): ReadableSpan[];
}

export async function tracedEngine(options: CreateEngineOptions = {}): Promise<TracedEngine> {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const engine = await createEngine({ ...options, tracerProvider });
  return {
    engine,
    exporter,
    spans: (name) => exporter.getFinishedSpans().filter((s) => name === undefined || s.name === name),
  };
}

/** A plugin made on the spot from a setup function. */
export function inlinePlugin(name: string, setup: (ctx: PluginContext) => void, engine = '*') {
  return definePlugin({ name, version: '1.0.0', engine, setup });
}

export function parentId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
