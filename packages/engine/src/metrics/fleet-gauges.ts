/**
 * Fleet-wide gauges read from a status snapshot (queue depth per queue and state), for the one
 * process that reads the fleet's state from Redis (the dashboard): each worker reporting every
 * queue would count each job once per worker.
 */
import { metrics, type MeterProvider } from '@opentelemetry/api';
import type { FleetStatus } from '../fleet/fleet-status.js';
import { ENGINE_VERSION } from '../version.js';
import { Attr } from '../tracing/attributes.js';
import { MetricAttr, MetricNames, WEFT_METER } from './metric-names.js';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Observes the latest snapshot at each collection; returns a function that stops observing. */
export function observeFleetStatus(latest: () => FleetStatus | undefined, provider: MeterProvider = metrics.getMeterProvider()): () => void {
  const gauge = provider
    .getMeter(WEFT_METER, ENGINE_VERSION)
    .createObservableGauge(MetricNames.QUEUE_DEPTH, { description: 'Jobs per fleet queue and state', unit: '{job}' });
  const callback = (r: { observe(value: number, attributes: Record<string, string>): void }): void => {
    for (const q of latest()?.queues ?? []) {
      for (const state of STATES) r.observe(q[state], { [Attr.MESSAGING_DESTINATION]: q.queue, [MetricAttr.QUEUE_STATE]: state });
    }
  };
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}
