/**
 * Starts the OpenTelemetry Node SDK configured from the standard OTEL_* variables
 * (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
 * OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER…), exporting over OTLP/HTTP: protobuf by
 * default, as the specification says, or JSON with OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL=http/json.
 */
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { WeftError } from '../errors.js';

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
 * The SDK is imported here, on demand: a worker or CLI run without tracing never loads it
 * (about 25 MB of resident memory).
 */
export async function startTracing(options: StartTracingOptions = {}): Promise<TracingHandle> {
  const [{ NodeSDK }, { BatchSpanProcessor }] = await Promise.all([import('@opentelemetry/sdk-node'), import('@opentelemetry/sdk-trace-base')]);
  const protocol = otlpProtocol();
  // Protobuf is the specification's default and costs a worker less CPU per exported span than JSON.
  const exporter = options.exporter ?? (protocol === 'http/json' ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter() : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter());
  const processor: SpanProcessor = new BatchSpanProcessor(exporter, { maxQueueSize: options.maxQueueSize ?? 16_384, maxExportBatchSize: 512 });
  const serviceName = options.serviceName ?? process.env['OTEL_SERVICE_NAME'] ?? 'weft';
  const sdk = new NodeSDK({ serviceName, spanProcessors: [processor], instrumentations: [] });
  sdk.start();
  return {
    destination: options.exporter ? options.exporter.constructor.name : `otlp ${protocol} ${tracingDestination()}`,
    flush: () => processor.forceFlush(),
    shutdown: () => sdk.shutdown(),
  };
}
