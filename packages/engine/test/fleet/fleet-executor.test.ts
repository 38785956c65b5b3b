import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createEngine } from '@weft/engine';
import { fleetRuntime, FleetWorker } from '@weft/engine/fleet';
import { Telemetry } from '@weft/engine/tracing';
import { startRedis } from '../../../../test-support/redis-server.js';
import testPlugin from './fixtures/fleet-plugin.js';
import { executorConformance } from './executor-conformance.js';

executorConformance('fleet', async () => {
  const redis = await startRedis();
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  // The worker runs in this process here (speed); process behaviour is tested with real children elsewhere.
  const workerEngine = await createEngine({ plugins: [testPlugin] });
  const worker = new FleetWorker(
    { redisUrl: redis.url, concurrency: 8, heartbeatMs: 200 },
    { handlers: workerEngine.handlers, telemetry: new Telemetry(tracerProvider) },
  );
  await worker.start();
  const fleet = await fleetRuntime(redis.url, { pollMs: 50 });
  const engine = await createEngine({ ...fleet, plugins: [...fleet.plugins, testPlugin], tracerProvider });
  return {
    engine,
    spans: (name) => exporter.getFinishedSpans().filter((s) => name === undefined || s.name === name),
    reset: () => exporter.reset(),
    async close() {
      await engine.close();
      await worker.close();
      await workerEngine.close();
      await redis.stop();
    },
  };
});
