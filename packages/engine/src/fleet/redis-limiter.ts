/**
 * Per-key limits across a fleet, atomic in Redis. Concurrency is a counted lease: a sorted set of
 * holders scored by their lease deadline, renewed while the task runs, so a worker that dies
 * (SIGKILL) frees its places when their leases expire. Rate is a sliding-window log with
 * reservations: a sorted set of start times, at most `max` within any `perMs`. Both use Redis' own clock (TIME), so workers'
 * clocks need not agree.
 */
import { createHash } from 'node:crypto';
import { errorMessage } from '../errors.js';
import type { Admission, RateLimit, TaskLimit } from '../limits/limit-types.js';
import type { Logger } from '../logging/logger.js';
import type { FleetKeys } from './fleet-keys.js';
import type { FleetWorkerOptions } from './fleet-options.js';
import type { RedisClient } from './redis-connection.js';

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS: holders, starts. ARGV: holder (of a concurrency lease: the job), concurrency (0: none),
 * leaseMs, rate max (0: none), perMs, rate holder (of a reservation: the task's request, stable
 * across re-routes), reserve only (1: the runner pacing a task; the reservation is not consumed).
 * Returns {0} when admitted, else {1 (concurrency) | 2 (rate), ms to wait}.
 *
 * Rate takes reservations: a job over the rate gets the earliest start that keeps at most `max`
 * starts in any `perMs` and is at least perMs/max after the last one (so waiting jobs are spread
 * evenly instead of replaying the first window's burst; the log stays sorted), is delayed until then, and on its return finds its
 * reservation due and starts; so waiting jobs never stampede. A job whose key is at its
 * concurrency gives its reservation back, so a reservation is only ever held while it is kept.
 */
const ACQUIRE = `${NOW}
local conc = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local per = tonumber(ARGV[5])
if conc > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= conc then
    if max > 0 then redis.call('ZREM', KEYS[2], ARGV[6]) end
    local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return {1, tonumber(first[2]) - now}
  end
end
if max > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - per)
  local at = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[6]))
  if at and ARGV[7] ~= '1' and at <= now and redis.call('ZCOUNT', KEYS[2], now - per, now) > max then
    -- Due, but starts that came late since it was reserved fill the window: reserve again.
    redis.call('ZREM', KEYS[2], ARGV[6])
    at = nil
  end
  if not at then
    local n = redis.call('ZCARD', KEYS[2])
    at = now
    if n >= max then
      local nth = redis.call('ZRANGE', KEYS[2], n - max, n - max, 'WITHSCORES')
      local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
      at = math.max(now, tonumber(nth[2]) + per, tonumber(last[2]) + per / max)
    end
    redis.call('ZADD', KEYS[2], at, ARGV[6])
    redis.call('PEXPIRE', KEYS[2], at - now + per + 1000)
  end
  if ARGV[7] == '1' then return {2, at - now} end
  if at > now then return {2, at - now} end
  -- Started: the entry stays as history under another name, at the time it really started (the
  -- window counts starts, not reservations), so a redelivery reserves anew.
  redis.call('ZREM', KEYS[2], ARGV[6])
  redis.call('ZADD', KEYS[2], now, ARGV[6] .. ':' .. now)
end
if conc > 0 then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], lease * 2)
end
return {0}`;

/** KEYS: holders. ARGV: holder, leaseMs. Extends a lease still held; 0 when it was lost. */
const RENEW = `${NOW}
local n = redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return n`;

interface Script {
  readonly text: string;
  readonly sha: string;
}
const script = (text: string): Script => ({ text, sha: createHash('sha1').update(text).digest('hex') });
const ACQUIRE_SCRIPT = script(ACQUIRE);
const RENEW_SCRIPT = script(RENEW);

/** The worker's options that tune the limiter (see FleetWorkerOptions). */
export type RedisLimiterOptions = Pick<FleetWorkerOptions, 'limitLeaseMs' | 'limitRetryMs'>;

export class RedisLimiter {
  readonly leaseMs: number;
  readonly retryMs: number;
  /** Leases held by this worker: holder → its holders key. */
  private readonly held = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: FleetKeys,
    private readonly logger: Logger,
    options: RedisLimiterOptions = {},
  ) {
    this.leaseMs = options.limitLeaseMs ?? 10_000;
    this.retryMs = options.limitRetryMs ?? 50;
  }

  /**
   * Takes a place under the limit, or says how long to wait. `holder` is unique per job (a
   * concurrency lease); `rateHolder` names the task's rate reservation, kept across re-routes.
   */
  async tryAcquire(limit: TaskLimit, holder: string, rateHolder: string): Promise<Admission> {
    const holders = this.holdersKey(limit.key);
    const r = await this.acquireScript(limit, holder, rateHolder, false);
    if (r[0] === 0) {
      if (limit.concurrency !== undefined) {
        this.held.set(holder, holders);
        this.timer ??= setInterval(() => void this.renew(), Math.max(50, Math.floor(this.leaseMs / 3)));
        this.timer.unref();
      }
      return { ok: true };
    }
    const until = Math.max(1, Number(r[1]));
    // A holder's lease deadline is far off while it runs: ask again soon instead, with jitter so waiters spread.
    if (r[0] === 1) return { ok: false, reason: 'concurrency', waitMs: Math.min(until, Math.ceil(this.retryMs * (0.5 + Math.random()))) };
    // Its reservation: the job comes back when it is due.
    return { ok: false, reason: 'rate', waitMs: until };
  }

  /**
   * The runner's side of a rate: reserves the task's start (under `rateHolder`) and says how long
   * until it is due, so the task is enqueued then rather than parked in BullMQ's delayed set.
   */
  async reserve(limit: TaskLimit & { rate: RateLimit }, rateHolder: string): Promise<number> {
    const r = await this.acquireScript({ key: limit.key, rate: limit.rate }, rateHolder, rateHolder, true);
    return Math.max(0, Number(r[1] ?? 0));
  }

  private async acquireScript(limit: TaskLimit, holder: string, rateHolder: string, reserveOnly: boolean): Promise<number[]> {
    return (await this.run(
      ACQUIRE_SCRIPT,
      [this.holdersKey(limit.key), this.startsKey(limit.key)],
      [holder, limit.concurrency ?? 0, this.leaseMs, limit.rate?.max ?? 0, limit.rate?.perMs ?? 0, rateHolder, reserveOnly ? 1 : 0],
    )) as number[];
  }

  /** Frees the place `holder` took (rate starts stay: they are history). */
  async release(limit: TaskLimit, holder: string): Promise<void> {
    if (limit.concurrency === undefined) return;
    this.held.delete(holder);
    try {
      await this.redis.zrem(this.holdersKey(limit.key), holder);
    } catch (err) {
      this.logger.warn({ err: errorMessage(err), key: limit.key }, 'could not release a limit lease; it frees when it expires');
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private holdersKey(key: string): string {
    return `${this.keys.prefix}:limit:${key}:holders`;
  }

  private startsKey(key: string): string {
    return `${this.keys.prefix}:limit:${key}:starts`;
  }

  private async renew(): Promise<void> {
    await Promise.all(
      [...this.held].map(([holder, key]) =>
        this.run(RENEW_SCRIPT, [key], [holder, this.leaseMs]).catch((err: unknown) =>
          this.logger.debug({ err: errorMessage(err) }, 'limit lease renewal failed; retried on the next tick'),
        ),
      ),
    );
  }

  /** EVALSHA, loading the script on NOSCRIPT (after a restart or failover). */
  private async run(s: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!/NOSCRIPT/.test(errorMessage(err))) throw err;
      return this.redis.eval(s.text, keys.length, ...keys, ...args);
    }
  }
}
