/** `@weft/engine/dashboard`: the fleet dashboard's server, for `weft dashboard` and for applications that host it. */
import { FleetKeys, DEFAULT_PREFIX, assertPrefixFits } from '../fleet/fleet-keys.js';
import { assertReachable, createRedisClient, isClusterUrl } from '../fleet/redis-connection.js';
import { observeFleetStatus } from '../metrics/fleet-gauges.js';
import type { FleetStatus } from '../fleet/fleet-status.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { parseDashboardOptions, type DashboardOptions, type RawDashboardOptions } from './dashboard-options.js';
import { startDashboardServer, type DashboardServer, type DashboardServerDeps } from './dashboard-server.js';
import type { FleetReaderOptions } from './fleet-reader.js';

export { parseDashboardOptions, type DashboardOptions, type RawDashboardOptions } from './dashboard-options.js';
export type { DashboardServer } from './dashboard-server.js';
export type { DashboardSnapshot, FleetReaderOptions, QueueRow, RunRow } from './fleet-reader.js';
export type { RunGraph, GraphStep } from './run-graph.js';
export type { ModelView } from './model-view.js';
export type { CacheView, CacheFigures, CacheWorkerRow } from './cache-view.js';

export interface StartDashboardOptions {
  readonly logger?: Logger;
  readonly metricsHandler?: DashboardServerDeps['metricsHandler'];
  readonly reader?: FleetReaderOptions;
}

/** Checks the options, connects to Redis (failing fast when unreachable) and serves the dashboard. */
export async function startDashboard(raw: RawDashboardOptions | DashboardOptions, extra: StartDashboardOptions = {}): Promise<DashboardServer> {
  const options = 'redisUrl' in raw ? raw : parseDashboardOptions(raw);
  const keys = new FleetKeys(options.prefix ?? DEFAULT_PREFIX);
  assertPrefixFits(keys.prefix, isClusterUrl(options.redisUrl));
  await assertReachable(options.redisUrl);
  const logger = extra.logger ?? createLogger();
  const redis = createRedisClient(options.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  let server: DashboardServer;
  try {
    server = await startDashboardServer(options, {
      redis,
      keys,
      logger,
      ...(extra.metricsHandler ? { metricsHandler: extra.metricsHandler } : {}),
      ...(extra.reader ? { reader: extra.reader } : {}),
    });
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  // Queue depths as gauges, from the snapshot the reader already holds (one reader per fleet view).
  let latest: FleetStatus | undefined;
  const stopGauges = observeFleetStatus(() => latest);
  const unsubscribe = server.reader.subscribe(() => {
    void server.reader.current().then((s) => (latest = { prefix: s.prefix, workers: s.workers, queues: s.queues, runs: [], decisions: s.decisions }));
  });
  return {
    url: server.url,
    reader: server.reader,
    close: async () => {
      unsubscribe();
      stopGauges();
      await server.close();
      redis.disconnect();
    },
  };
}
