/**
 * Starts the OpenTelemetry Node SDK configured from the standard OTEL_* variables
 * (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
 * OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER…), exporting over OTLP/HTTP.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

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

export function tracingDestination(): string {
  const env = process.env;
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  if (traces) return traces;
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? 'http://localhost:4318';
  return `${base.replace(/\/$/, '')}/v1/traces`;
}

export function startTracing(options: StartTracingOptions = {}): TracingHandle {
  const exporter = options.exporter ?? new OTLPTraceExporter();
  const processor: SpanProcessor = new BatchSpanProcessor(exporter, { maxQueueSize: options.maxQueueSize ?? 16_384, maxExportBatchSize: 512 });
  const serviceName = options.serviceName ?? process.env['OTEL_SERVICE_NAME'] ?? 'weft';
  const sdk = new NodeSDK({ serviceName, spanProcessors: [processor], instrumentations: [] });
  sdk.start();
  return {
    destination: options.exporter ? options.exporter.constructor.name : `otlp ${tracingDestination()}`,
    flush: () => processor.forceFlush(),
    shutdown: () => sdk.shutdown(),
  };
}
