/**
 * The bench process's tracing, shared by Weft's runner and the raw gather producer: one provider
 * with a batch processor exporting OTLP/HTTP (protobuf) to the sink the workers export to, set
 * globally (bullmq-otel reads the global tracer) with the W3C propagator.
 */
import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

export function benchTracing(otlp: string): BasicTracerProvider {
  const exporter = new OTLPTraceExporter({ url: `${otlp}/v1/traces` });
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 16_384, maxExportBatchSize: 512 })] });
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return provider;
}
