/** A short-lived Redis client for the fleet commands that read or change a run (status, cancel, --detach). */
import { WeftError } from '../errors.js';
import { FleetKeys, DEFAULT_PREFIX, assertPrefixFits } from '../fleet/fleet-keys.js';
import { assertReachable, createRedisClient, isClusterUrl, resolveRedisUrl, type RedisClient } from '../fleet/redis-connection.js';

export interface FleetClientOptions {
  redis?: string;
  prefix?: string;
}

export interface FleetClient {
  readonly url: string;
  readonly redis: RedisClient;
  readonly keys: FleetKeys;
  close(): void;
}

export async function openFleetClient(opts: FleetClientOptions, command: string): Promise<FleetClient> {
  const url = resolveRedisUrl(opts.redis);
  if (!url) throw new WeftError('WEFT_CONFIG_INVALID', `${command} needs Redis: pass --redis redis://host:6379 or set REDIS_URL.`, { retryable: false });
  const keys = new FleetKeys(opts.prefix ?? DEFAULT_PREFIX);
  assertPrefixFits(keys.prefix, isClusterUrl(url));
  await assertReachable(url);
  const redis = createRedisClient(url, { maxRetriesPerRequest: 1 });
  return { url, redis, keys, close: () => redis.disconnect() };
}
