/**
 * A run's lease: the id of the process driving it, set with a TTL and renewed like a heartbeat.
 * When it lapses, any Weft process with the run's plugins may take it over.
 */
import type { RedisClient } from './redis-connection.js';

/** KEYS: lease. ARGV: driver id, TTL ms. Returns the other holder's id, or nil once this driver holds it. */
const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return cur end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`;

/**
 * KEYS: lease, run. ARGV: driver id, TTL ms. -1: lost to another; 1: cancel requested; 0: renewed.
 * A lease that is simply gone (Redis restarted without its data, or this driver paused past it
 * and nobody took over) is taken back: only another holder means the run moved.
 */
const RENEW = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return -1 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if redis.call('HEXISTS', KEYS[2], 'cancel') == 1 then return 1 end
return 0
`;

/** KEYS: lease. ARGV: driver id. Deletes the lease only if this driver holds it. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export type RenewOutcome = 'renewed' | 'lost' | 'cancel';

/** Takes the lease unless another live driver holds it; returns that driver's id then. */
export async function acquireLease(redis: RedisClient, leaseKey: string, driverId: string, ttlMs: number): Promise<string | undefined> {
  const holder = (await redis.eval(ACQUIRE, 1, leaseKey, driverId, ttlMs)) as string | null;
  return holder ?? undefined;
}

export async function renewLease(redis: RedisClient, leaseKey: string, runKey: string, driverId: string, ttlMs: number): Promise<RenewOutcome> {
  const r = Number(await redis.eval(RENEW, 2, leaseKey, runKey, driverId, ttlMs));
  return r < 0 ? 'lost' : r > 0 ? 'cancel' : 'renewed';
}

export async function releaseLease(redis: RedisClient, leaseKey: string, driverId: string): Promise<void> {
  await redis.eval(RELEASE, 1, leaseKey, driverId);
}
