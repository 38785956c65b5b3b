// The raw sides' worker: a plain BullMQ Worker with a no-op processor, as a BullMQ user writes it.
// With `--traced`, it is traced as such a user traces it: bullmq-otel 2.x on the Worker, a batch
// span processor exporting OTLP/HTTP (protobuf) to OTEL_EXPORTER_OTLP_ENDPOINT, the W3C
// propagator (the producer's context arrives in the job), the same resource detectors and batch
// sizes as `weft worker`. No context manager, as in `weft worker`: neither side pays for one.
// Usage: node raw-worker.mjs <redisUrl> <queue> <concurrency> <prefix> [--traced]
import { Worker } from 'bullmq';

const [url, queue, concurrency, prefix, traced] = process.argv.slice(2);
const u = new URL(url);
let telemetry;
let provider;
if (traced === '--traced') {
  const [{ BullMQOtel }, { BasicTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, resources, core, api] = await Promise.all([
    import('bullmq-otel'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-proto'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/core'),
    import('@opentelemetry/api'),
  ]);
  const detected = resources.detectResources({ detectors: [resources.envDetector, resources.hostDetector, resources.processDetector] });
  provider = new BasicTracerProvider({
    resource: resources
      .defaultResource()
      .merge(detected)
      .merge(resources.resourceFromAttributes({ 'service.name': 'bench-raw-worker' })),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(), { maxQueueSize: 16_384, maxExportBatchSize: 512 })],
  });
  api.trace.setGlobalTracerProvider(provider);
  api.propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  telemetry = new BullMQOtel({ tracerName: 'bench-raw-worker' });
}
const worker = new Worker(queue, async () => null, {
  connection: { host: u.hostname, port: Number(u.port), maxRetriesPerRequest: null },
  prefix,
  concurrency: Number(concurrency),
  ...(telemetry ? { telemetry } : {}),
});
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await worker.close();
  await provider?.shutdown();
  process.exit(0);
});
