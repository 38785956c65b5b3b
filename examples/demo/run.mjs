// `pnpm demo`: runs pipeline.yaml on the embedded runtime (no Redis) and shows how its trace was exported.
import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createEngine } from '@weft/engine';
import { formatSpanTree } from '@weft/engine/testing';
import { startTelemetry } from '@weft/engine/telemetry';
import demoPlugin from './demo-plugin.mjs';

const otlp = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
const memory = otlp ? undefined : new InMemorySpanExporter();
// NodeSDK, configured by the OTEL_* variables; without a collector, spans stay in memory.
const telemetry = await startTelemetry({
  serviceName: 'weft-demo',
  envDefaults: { OTEL_METRICS_EXPORTER: 'none' },
  ...(memory ? { spanProcessors: [new SimpleSpanProcessor(memory)] } : {}),
});

const engine = await createEngine({
  plugins: [demoPlugin],
  config: {
    workers: [
      { id: 'slot-a', concurrency: 2 },
      { id: 'slot-b', concurrency: 2 },
    ],
  },
});
try {
  const result = await engine.run(
    fileURLToPath(new URL('./pipeline.yaml', import.meta.url)),
    {},
    {
      onEvent: (e) => {
        if (e.type === 'task:retry') console.log(`  retry: ${e.stepId} attempt ${e.attempt} failed (${e.error}); next in ${e.delayMs} ms`);
        if (e.type === 'step:end')
          console.log(
            `  step ${e.stepId.padEnd(8)} ${e.report.status} (${e.report.attempts} attempt${e.report.attempts === 1 ? '' : 's'}${e.report.items !== undefined ? `, ${e.report.items} items` : ''})`,
          );
      },
    },
  );
  console.log(`\nRun ${result.runId}: ${result.status} in ${result.durationMs.toFixed(1)} ms`);
  console.log(JSON.stringify(result.output, null, 2));
} finally {
  await engine.close();
  await telemetry.flush();
}

if (memory) {
  const spans = memory.getFinishedSpans();
  console.log(
    `\nTrace: ${spans.length} spans kept in memory (set OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 to send them to a collector over OTLP/HTTP):`,
  );
  console.log(formatSpanTree(spans));
} else {
  console.log(`\nTelemetry exported (${telemetry.destination})`);
}
await telemetry.shutdown();
