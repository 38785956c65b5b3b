/**
 * The engine's use of the OpenTelemetry API. Context is passed explicitly (not through the
 * active context) so parent/child links hold with or without a context manager.
 */
import 'reflect-metadata';
import {
  context as otelContext,
  metrics,
  trace,
  SpanStatusCode,
  type Context,
  type MeterProvider,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { inject, injectable } from 'tsyringe';
import { errorMessage, WeftError } from '../errors.js';
import { EngineMetrics } from '../metrics/engine-metrics.js';
import { MeterProviderToken, TracerProviderToken } from '../tokens.js';
import { ENGINE_VERSION } from '../version.js';
import { Attr } from './attributes.js';

@injectable()
export class Telemetry {
  readonly tracer: Tracer;
  readonly metrics: EngineMetrics;
  readonly meterProvider: MeterProvider;

  /** Default: the global providers, no-ops until an SDK is started. */
  constructor(@inject(TracerProviderToken) provider?: TracerProvider, @inject(MeterProviderToken) meterProvider: MeterProvider = metrics.getMeterProvider()) {
    this.tracer = (provider ?? trace.getTracerProvider()).getTracer('@weft/engine', ENGINE_VERSION);
    this.meterProvider = meterProvider;
    this.metrics = new EngineMetrics(meterProvider);
  }

  start(name: string, parent: Context | undefined, options: SpanOptions = {}): { span: Span; ctx: Context } {
    const base = parent ?? otelContext.active();
    const span = this.tracer.startSpan(name, options, base);
    return { span, ctx: trace.setSpan(base, span) };
  }

  /** A decision span: begun and ended at once, a record of a choice (and counted in the metrics). */
  decision(name: string, parent: Context | undefined, attributes: SpanOptions['attributes']): Span {
    this.metrics.decision(name, attributes);
    const span = this.tracer.startSpan(name, { attributes: attributes ?? {} }, parent ?? otelContext.active());
    span.end();
    return span;
  }
}

export function failSpan(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : new Error(String(err)));
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
  span.setAttribute(Attr.ERROR_TYPE, err instanceof WeftError ? err.code : err instanceof Error ? err.name : 'Error');
}
