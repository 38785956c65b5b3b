/**
 * Starts OpenTelemetry tracing configured from the standard OTEL_* variables
 * (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
 * OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER…), exporting over OTLP/HTTP: protobuf by
 * default, as the specification says, or JSON with OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL=http/json.
 */
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { WeftError } from '../errors.js';
import { redactingDetector } from './redact.js';

export interface StartTracingOptions {
  /** Default OTEL_SERVICE_NAME, else `weft`. */
  serviceName?: string;
  /** Export here instead of OTLP/HTTP (an in-memory exporter in tests, for example). */
  exporter?: SpanExporter;
  /** Batch queue size; the default 2,048 drops spans when a fleet bursts. Default 16,384. */
  maxQueueSize?: number;
}

export interface TracingHandle {
  /** Exports every span ended so far. */
  flush(): Promise<void>;
  /** Flushes pending spans and stops the SDK. */
  shutdown(): Promise<void>;
  /** Where spans go, for a log line (`otlp http://collector:4318/v1/traces`). */
  readonly destination: string;
}

export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** The OTLP protocol from the environment; refuses one this build cannot speak (grpc). */
export function otlpProtocol(env: NodeJS.ProcessEnv = process.env): OtlpProtocol {
  const wanted = env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] || env['OTEL_EXPORTER_OTLP_PROTOCOL'] || 'http/protobuf';
  if (wanted === 'http/protobuf' || wanted === 'http/json') return wanted;
  throw new WeftError('WEFT_CONFIG_INVALID', `OTLP protocol "${wanted}" is not supported; set OTEL_EXPORTER_OTLP_PROTOCOL to http/protobuf (the default) or http/json.`, { retryable: false });
}

export function tracingDestination(): string {
  const env = process.env;
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  if (traces) return traces;
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? 'http://localhost:4318';
  return `${base.replace(/\/$/, '')}/v1/traces`;
}

/**
 * A tracer provider with a batch processor and an OTLP exporter, a resource from the service name
 * plus the env, host and process detectors, and the W3C trace-context and baggage propagators,
 * all registered globally. Not the all-in-one NodeSDK: it loads metrics, logs and gRPC code a
 * worker never uses (about 10 MB more resident memory per process). No context manager is
 * registered either: the engine passes span contexts explicitly, and a handler gets its span in
 * its context (`h.span`). Imported on demand: a process without tracing never loads any of it.
 * OTEL_SDK_DISABLED=true makes it a no-op, as the specification says.
 */
export async function startTracing(options: StartTracingOptions = {}): Promise<TracingHandle> {
  if (/^true$/i.test(process.env['OTEL_SDK_DISABLED'] ?? '')) return { destination: 'nowhere (OTEL_SDK_DISABLED)', flush: async () => {}, shutdown: async () => {} };
  const protocol = otlpProtocol();
  const [{ BasicTracerProvider, BatchSpanProcessor }, resources, core, api] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/core'),
    import('@opentelemetry/api'),
  ]);
  // Protobuf is the specification's default and costs a worker less CPU per exported span than JSON.
  const exporter = options.exporter ?? (protocol === 'http/json' ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter() : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter());
  const processor: SpanProcessor = new BatchSpanProcessor(exporter, { maxQueueSize: options.maxQueueSize ?? 16_384, maxExportBatchSize: 512 });
  const serviceName = options.serviceName ?? process.env['OTEL_SERVICE_NAME'] ?? 'weft';
  // The process detector exports the command line: `--redis redis://:pw@…` and `--input` data are
  // redacted before anything is exported.
  const detectors = [resources.envDetector, resources.hostDetector, resources.processDetector].map((d) => redactingDetector(d));
  const detected = resources.detectResources({ detectors });
  // The sampler comes from OTEL_TRACES_SAMPLER(_ARG), read by the provider itself.
  const provider = new BasicTracerProvider({
    resource: resources.defaultResource().merge(detected).merge(resources.resourceFromAttributes({ 'service.name': serviceName })),
    spanProcessors: [processor],
  });
  api.trace.setGlobalTracerProvider(provider);
  api.propagation.setGlobalPropagator(new core.CompositePropagator({ propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()] }));
  return {
    destination: options.exporter ? options.exporter.constructor.name : `otlp ${protocol} ${tracingDestination()}`,
    flush: () => processor.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
