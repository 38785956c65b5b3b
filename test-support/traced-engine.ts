/** A real engine whose spans go to the OpenTelemetry SDK's in-memory exporter, for tests of every package. */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createEngine, type CreateEngineOptions, type Engine } from '@weft/engine';

export interface TracedEngine {
  engine: Engine;
  exporter: InMemorySpanExporter;
  /** Finished spans, optionally only those with this name. */
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

export function parentId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
