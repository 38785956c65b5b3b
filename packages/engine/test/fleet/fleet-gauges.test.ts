/** weft.queue.depth, observed from a fleet status read off a real Redis: one point per queue and state. */
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, FleetKeys, observeFleetStatus, readFleetStatus, type FleetStatus } from '@weft/engine/fleet';
import { MetricNames } from '@weft/engine/tracing';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';

let redis: PrivateRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe('fleet gauges', () => {
  it('reports each known queue by state', async () => {
    const client = createRedisClient(redis.url, { maxRetriesPerRequest: 1 });
    const keys = new FleetKeys();
    const queue = new Queue('w.gauged', { connection: client, prefix: keys.prefix });
    await client.sadd(keys.queues, 'w.gauged');
    await queue.addBulk([
      { name: 'a', data: {} },
      { name: 'b', data: {} },
      { name: 'c', data: {}, opts: { delay: 60_000 } },
    ]);
    let latest: FleetStatus | undefined = await readFleetStatus(client, keys);
    await queue.close();
    client.disconnect();

    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const stop = observeFleetStatus(() => latest, new MeterProvider({ readers: [reader] }));
    await reader.forceFlush();
    const points = exporter
      .getMetrics()
      .at(-1)!
      .scopeMetrics.flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === MetricNames.QUEUE_DEPTH)!.dataPoints as DataPoint<number>[];
    const depth = Object.fromEntries(
      points.map((p) => [`${String(p.attributes['messaging.destination.name'])}/${String(p.attributes['weft.queue.state'])}`, p.value]),
    );
    expect(depth).toEqual({ 'w.gauged/waiting': 2, 'w.gauged/active': 0, 'w.gauged/delayed': 1, 'w.gauged/failed': 0 });
    stop();
    latest = undefined;
  });
});
