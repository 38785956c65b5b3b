/**
 * W3C trace context in job data. Uses the global propagator (NodeSDK registers W3C); when none
 * is registered (a bare provider in tests or embedding apps) it writes and reads `traceparent`
 * itself, so the worker's span still joins the runner's trace.
 */
import { ROOT_CONTEXT, TraceFlags, propagation, trace, type Context } from '@opentelemetry/api';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function injectTrace(ctx: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  if (carrier['traceparent'] === undefined) {
    const sc = trace.getSpanContext(ctx);
    if (sc && trace.isSpanContextValid(sc)) carrier['traceparent'] = `00-${sc.traceId}-${sc.spanId}-0${(sc.traceFlags & TraceFlags.SAMPLED).toString(16)}`;
  }
  return carrier;
}

export function extractTrace(carrier: Record<string, string>): Context {
  const ctx = propagation.extract(ROOT_CONTEXT, carrier);
  if (trace.getSpanContext(ctx)) return ctx;
  const m = TRACEPARENT.exec(carrier['traceparent'] ?? '');
  if (!m) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16), isRemote: true });
}
