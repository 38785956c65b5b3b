/** The breaker's metrics: transitions by worker and state entered, and how many breakers are open now. */
import type { MeterProvider } from '@opentelemetry/api';
import { Attr, MetricAttr, MetricNames, WEFT_METER } from '@weft/engine/tracing';
import type { BreakerTransition, CircuitBreaker } from './circuit-breaker.js';

export interface BreakerMetrics {
  transition(t: BreakerTransition): void;
}

export function breakerMetrics(provider: MeterProvider, breaker: () => CircuitBreaker | undefined): BreakerMetrics {
  const meter = provider.getMeter(WEFT_METER);
  const transitions = meter.createCounter(MetricNames.BREAKER_TRANSITIONS, { description: 'Circuit-breaker transitions', unit: '{transition}' });
  meter.createObservableGauge(MetricNames.BREAKERS_OPEN, { description: 'Workers whose circuit breaker is open', unit: '{worker}' }).addCallback((r) => {
    const b = breaker();
    if (b) r.observe(Object.values(b.states()).filter((s) => s === 'open').length);
  });
  return {
    transition: (t) => transitions.add(1, { [Attr.TASK_WORKER]: t.workerId, [MetricAttr.BREAKER_STATE]: t.to }),
  };
}
