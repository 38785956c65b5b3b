/**
 * Per-key limits across a fleet, atomic in Redis. Concurrency is a counted lease: a sorted set of
 * holders scored by their lease deadline, renewed while the task runs, so a worker that dies
 * (SIGKILL) frees its places when their leases expire. Rate is two sorted sets per key and a
 * pace: the log of real starts, which decides (ADMIT: a task starts only while fewer than `max`
 * starts lie in the last `perMs`, so no window of `perMs` ever holds more than `max`), and
 * runners' pending reservations, which pace: each is placed where a real start opens a place, on
 * the key's schedule of one start every perMs/max (RESERVE), and says when the runner enqueues
 * its task. All use Redis' own clock (TIME), so workers' clocks need not agree.
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
 * A task starts. KEYS: holders, starts, reservations (a concurrency alone: holders). ARGV: holder
 * (of a concurrency lease: the job), concurrency (0: none), leaseMs, and with a rate: max, perMs,
 * reservation (the task's request id). Returns {0, the start's time} when admitted, else {1 (concurrency) | 2 (rate), ms to wait}.
 *
 * Rate: it starts only while fewer than `max` real starts lie in the last `perMs`; over it, the
 * wait is until the start that must leave the window has left it. Its start is logged at the time
 * it really starts, under the holder and that time (so a job that starts again counts again), and
 * its reservation is done with. A task that waits on its key's concurrency gives its reservation
 * back.
 */
const ADMIT = `${NOW}
local conc = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
local max = tonumber(ARGV[4] or '0')
local per = tonumber(ARGV[5] or '0')
local held = 0
if conc > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  held = redis.call('ZCARD', KEYS[1])
  if held >= conc and not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
    if max > 0 then redis.call('ZREM', KEYS[3], ARGV[6]) end
    local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return {1, tonumber(first[2]) - now}
  end
end
if max > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - per)
  local n = redis.call('ZCARD', KEYS[2])
  if n >= max then
    local leaving = redis.call('ZRANGE', KEYS[2], n - max, n - max, 'WITHSCORES')
    return {2, tonumber(leaving[2]) + per - now}
  end
  redis.call('ZADD', KEYS[2], now, ARGV[1] .. ':' .. now)
  redis.call('PEXPIRE', KEYS[2], per + 1000)
  redis.call('ZREM', KEYS[3], ARGV[6])
end
if conc > 0 then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  -- A key in use is kept alive by its holders' renewals (RENEW); an emptied one is gone.
  if held == 0 then redis.call('PEXPIRE', KEYS[1], lease * 2) end
end
return {0, now}`;

/**
 * A runner reserves tasks' starts, in order. KEYS: starts, reservations, pace. ARGV: max, perMs,
 * lead (ms), then the reservations (the tasks' request ids). Returns {how many were reserved, then
 * for each the ms until it is enqueued: its start less the lead}. Reserving stops at the first task
 * whose place is one a reserved task will free: it opens `perMs` after that task starts, unknown
 * until then.
 *
 * The places in a window are its real starts and the reservations not started yet; the latter
 * come after every real start (a reservation past due starts, if at all, from now on). A reserved
 * start is never before its place opens: `perMs` after the real start that leaves the window for it
 * (its anchor), so only real starts anchor a reservation and no window holds more than `max`.
 * Once the window is full, reservations also follow the key's pace, a schedule of one start every
 * perMs/max that advances with each reservation from when it is made: the tasks waiting behind a
 * first window's burst reach the workers spread at the rate, not replaying the burst. The pace is
 * a plan, not the last reservation: a start that came late delays the one reservation anchored on
 * it, never the reservations after it, so lateness does not add up from task to task; and it
 * holds a reservation back at most `perMs` past its place. A reservation not started `perMs`
 * after its time is dropped (its task was lost, or is waiting out a long delay).
 */
const RESERVE = `${NOW}
local max = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local lead = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - per)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - per)
local started = redis.call('ZCARD', KEYS[1])
local n = started + redis.call('ZCARD', KEYS[2])
local step = per / max
local pace = tonumber(redis.call('GET', KEYS[3]) or '0')
local out = {0}
local latest = now
for i = 4, #ARGV do
  local at = now
  if n >= max then
    if n - max >= started then break end
    local anchor = redis.call('ZRANGE', KEYS[1], n - max, n - max, 'WITHSCORES')
    local place = tonumber(anchor[2]) + per
    at = math.max(now, place, math.min(pace, place + per))
  end
  pace = math.max(pace, now) + step
  redis.call('ZADD', KEYS[2], at, ARGV[i])
  n = n + 1
  latest = math.max(latest, at)
  out[1] = out[1] + 1
  out[#out + 1] = math.floor(at - now - lead)
end
if out[1] > 0 then
  redis.call('PEXPIRE', KEYS[2], math.ceil(latest - now) + per + 1000)
  redis.call('SET', KEYS[3], pace, 'PX', math.ceil(pace - now) + per + 1000)
end
return out`;

/** KEYS: reservations. ARGV: reservation. Gives a reservation back (its task was cancelled, or waits in BullMQ's delayed set). */
const UNRESERVE = `return redis.call('ZREM', KEYS[1], ARGV[1])`;

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
const ADMIT_SCRIPT = script(ADMIT);
const RESERVE_SCRIPT = script(RESERVE);
const UNRESERVE_SCRIPT = script(UNRESERVE);
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
   * Takes a place under the limit (logging the start, at `startedAt` by Redis' clock), or says how
   * long to wait. `holder` is unique per job; `reservation` names the task's rate reservation (its
   * request id), if any.
   */
  async tryAcquire(limit: TaskLimit, holder: string, reservation: string): Promise<Admission & { startedAt?: number }> {
    const holders = this.holdersKey(limit.key);
    const r = (await (limit.rate
      ? this.run(
          ADMIT_SCRIPT,
          [holders, this.startsKey(limit.key), this.reservedKey(limit.key)],
          [holder, limit.concurrency ?? 0, this.leaseMs, limit.rate.max, limit.rate.perMs, reservation],
        )
      : // A concurrency alone: the fewest keys and arguments (a task's own cost, paid on every job).
        this.run(ADMIT_SCRIPT, [holders], [holder, limit.concurrency ?? 0, this.leaseMs]))) as number[];
    if (r[0] === 0) {
      if (limit.concurrency !== undefined) {
        this.held.set(holder, holders);
        this.timer ??= setInterval(() => void this.renew(), Math.max(50, Math.floor(this.leaseMs / 3)));
        this.timer.unref();
      }
      return { ok: true, startedAt: Number(r[1]) };
    }
    const until = Math.max(1, Number(r[1]));
    // A holder's lease deadline is far off while it runs: ask again soon instead, with jitter so waiters spread.
    if (r[0] === 1) return { ok: false, reason: 'concurrency', waitMs: Math.min(until, Math.ceil(this.retryMs * (0.5 + Math.random()))) };
    // The instant the start that must leave the window has left it.
    return { ok: false, reason: 'rate', waitMs: until };
  }

  /**
   * The runner's side of a rate: reserves the starts of a key's waiting tasks (`reservations`,
   * their request ids), in order, as far as their places are known. Returns the ms until each is
   * to be enqueued (its reserved start less `leadMs`); the tasks after those wait for more starts.
   */
  async reserve(limit: TaskLimit & { rate: RateLimit }, reservations: readonly string[], leadMs: number): Promise<{ waitMs: number[] }> {
    const r = (await this.run(
      RESERVE_SCRIPT,
      [this.startsKey(limit.key), this.reservedKey(limit.key), this.paceKey(limit.key)],
      [limit.rate.max, limit.rate.perMs, leadMs, ...reservations],
    )) as number[];
    return { waitMs: r.slice(1).map((ms) => Math.max(0, Number(ms))) };
  }

  /** Gives a reservation back: its task will not be enqueued, or will start much later than planned. */
  async unreserve(limit: TaskLimit, reservation: string): Promise<void> {
    await this.run(UNRESERVE_SCRIPT, [this.reservedKey(limit.key)], [reservation]);
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
    return `${this.keys.prefix}:limit:${key}:started`;
  }

  private reservedKey(key: string): string {
    return `${this.keys.prefix}:limit:${key}:reserved`;
  }

  private paceKey(key: string): string {
    return `${this.keys.prefix}:limit:${key}:pace`;
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
