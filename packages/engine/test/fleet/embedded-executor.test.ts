import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createEngine } from '@weft/engine';
import testPlugin from './fixtures/fleet-plugin.js';
import { executorConformance } from './executor-conformance.js';

executorConformance('embedded', async () => {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const engine = await createEngine({ plugins: [testPlugin], tracerProvider });
  return {
    engine,
    spans: (name) => exporter.getFinishedSpans().filter((s) => name === undefined || s.name === name),
    reset: () => exporter.reset(),
    close: () => engine.close(),
  };
});
