/** A fleet's dead letters in Redis: a hash of entries and a time index, trimmed on every add. */
import type { FleetKeys } from '../fleet/fleet-keys.js';
import type { RedisClient } from '../fleet/redis-connection.js';
import { matching, type DeadLetter, type DeadLetterFilter, type DeadLetterRetention, type DeadLetterStore } from './dead-letter.js';

/**
 * KEYS: entries hash, time index. ARGV: id, entry JSON, time (ms), oldest time kept, entries kept.
 * Adds the entry and drops what retention no longer keeps, in one step.
 */
const ADD = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[4])
local over = redis.call('ZCARD', KEYS[2]) - #old - tonumber(ARGV[5])
if over > 0 then
  local extra = redis.call('ZRANGE', KEYS[2], #old, #old + over - 1)
  for _, id in ipairs(extra) do old[#old + 1] = id end
end
for i = 1, #old, 500 do
  local chunk = {unpack(old, i, math.min(i + 499, #old))}
  redis.call('HDEL', KEYS[1], unpack(chunk))
  redis.call('ZREM', KEYS[2], unpack(chunk))
end
return #old
`;

export class RedisDeadLetters implements DeadLetterStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: FleetKeys,
    private readonly retention: Pick<DeadLetterRetention, 'maxEntries' | 'maxAgeMs'>,
  ) {}

  async add(entry: DeadLetter): Promise<void> {
    const now = Date.now();
    await this.redis.eval(
      ADD,
      2,
      this.keys.deadLetters,
      this.keys.deadLetterIndex,
      entry.id,
      JSON.stringify(entry),
      Date.parse(entry.at),
      now - this.retention.maxAgeMs,
      this.retention.maxEntries,
    );
  }

  async list(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    const oldest = Math.max(filter.since?.getTime() ?? 0, Date.now() - this.retention.maxAgeMs);
    const ids = await this.redis.zrevrangebyscore(this.keys.deadLetterIndex, '+inf', oldest);
    return matching(await this.read(ids), filter);
  }

  async get(id: string): Promise<DeadLetter | undefined> {
    const raw = await this.redis.hget(this.keys.deadLetters, id);
    return raw === null ? undefined : (JSON.parse(raw) as DeadLetter);
  }

  async remove(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const [[, n]] = (await this.redis
      .multi()
      .hdel(this.keys.deadLetters, ...ids)
      .zrem(this.keys.deadLetterIndex, ...ids)
      .exec()) as [[unknown, number], unknown];
    return n;
  }

  async purge(filter: Pick<DeadLetterFilter, 'type'> = {}): Promise<number> {
    if (filter.type === undefined) {
      const n = await this.redis.hlen(this.keys.deadLetters);
      await this.redis.del(this.keys.deadLetters, this.keys.deadLetterIndex);
      return n;
    }
    const all = await this.read(await this.redis.zrange(this.keys.deadLetterIndex, 0, -1));
    return this.remove(all.filter((e) => e.taskType === filter.type).map((e) => e.id));
  }

  private async read(ids: readonly string[]): Promise<DeadLetter[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(this.keys.deadLetters, ...ids);
    return raws.flatMap((r) => (r === null ? [] : [JSON.parse(r) as DeadLetter]));
  }
}
