/**
 * Redis connections of the fleet: options from a URL (`redis://`, `rediss://`, user, password,
 * db), reconnection with capped exponential backoff, one clear log line when Redis goes away and
 * one when it returns, and a fail-fast reachability check whose error shows only the redacted URL.
 */
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { WeftError, errorMessage } from '../errors.js';
import { redactUrl, type Logger } from '../logging/logger.js';

/** The URL from `--redis`, else `REDIS_URL`; undefined when neither is set. */
export function resolveRedisUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return flag ?? env['REDIS_URL'] ?? undefined;
}

/** ioredis options from a Redis URL; `rediss://` turns TLS on. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new WeftError('WEFT_CONFIG_INVALID', `Redis URL "${redactUrl(url)}" is not a URL. Use redis://[user:password@]host:port[/db] or rediss://… for TLS.`, { cause, retryable: false });
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new WeftError('WEFT_CONFIG_INVALID', `Redis URL "${redactUrl(url)}" has protocol ${u.protocol}; use redis:// or rediss:// (TLS).`, { retryable: false });
  }
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  // URL keeps IPv6 literals bracketed ([::1]); sockets and certificates want them bare.
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  return {
    host,
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    // SNI takes a host name only (RFC 6066); an IP address is checked against the certificate without it.
    ...(u.protocol === 'rediss:' ? { tls: isIP(host) === 0 ? { servername: host } : {} } : {}),
  };
}

/** Delay before reconnect attempt `n` (1-based): 100 ms doubling, capped at 5 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(5_000, 100 * 2 ** Math.min(attempt - 1, 6));
}

/**
 * Connection options BullMQ and our own clients share: commands wait for a reconnect instead of
 * failing (`maxRetriesPerRequest: null`, required by BullMQ workers), and backoff is bounded.
 */
export function fleetRedisOptions(url: string): RedisOptions {
  return { ...redisOptionsFromUrl(url), maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: reconnectDelay };
}

/** Logs losing and regaining the connection once each, with the URL redacted. */
export function watchConnection(redis: Redis, url: string, logger: Logger, role: string, onRestored?: () => void): void {
  let lost = false;
  const where = redactUrl(url);
  redis.on('error', (err: unknown) => {
    if (!lost) logger.debug({ role, err: errorMessage(err) }, 'redis error');
  });
  // `reconnecting` fires only for a lost connection, never for a deliberate quit()/disconnect().
  redis.on('reconnecting', (delayMs: number) => {
    if (lost) return;
    lost = true;
    logger.warn({ role, redis: where, delayMs }, `redis connection lost (${where}); reconnecting with backoff`);
  });
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    logger.warn({ role, redis: where }, `redis connection restored (${where}); carrying on`);
    onRestored?.();
  });
}

export interface ConnectOptions {
  /** Called when the connection comes back after a loss. */
  readonly onRestored?: () => void;
  /**
   * Commands issued in one tick share a round trip. Default false. Not for blocking clients,
   * nor for BullMQ's (its own batching is enough, measured).
   */
  readonly autoPipelining?: boolean;
}

/** A client reconnecting with backoff, logging loss and return. */
export function connectRedis(url: string, logger: Logger, role: string, options: ConnectOptions = {}): Redis {
  const redis = new Redis({ ...fleetRedisOptions(url), lazyConnect: true, enableAutoPipelining: options.autoPipelining ?? false });
  watchConnection(redis, url, logger, role, options.onRestored);
  return redis;
}

/** Connects and pings within `timeoutMs`, or fails with the redacted URL and the fix. */
export async function assertReachable(url: string, timeoutMs = 5_000): Promise<void> {
  const probe = new Redis({ ...redisOptionsFromUrl(url), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  // ioredis rejects with a generic "Connection is closed"; the socket error says why.
  let lastError: unknown;
  probe.on('error', (err: unknown) => (lastError = err));
  try {
    await probe.connect();
    await probe.ping();
  } catch (cause) {
    const why = redactSecret(errorMessage(lastError ?? cause), url).replace(/\.$/, '');
    const fix = isCertificateError(lastError ?? cause)
      ? "Trust the server's certificate authority (NODE_EXTRA_CA_CERTS=/path/to/ca.pem) and use a host name its certificate names"
      : 'Start Redis there, or pass the right URL with --redis or REDIS_URL';
    throw new WeftError('WEFT_REDIS_UNAVAILABLE', `Redis at ${redactUrl(url)} cannot be reached (${why}). ${fix}.`, {
      cause: new Error(why),
      retryable: false,
      details: { redis: redactUrl(url) },
    });
  } finally {
    probe.disconnect();
  }
}

/** Node's TLS verification failures: ERR_TLS_CERT_ALTNAME_INVALID, SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED, … */
function isCertificateError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code);
}

/** Removes the URL's password from a foreign message, should a client ever echo it. */
export function redactSecret(message: string, url: string): string {
  try {
    const pw = new URL(url).password;
    if (!pw) return message;
    return message.split(pw).join('***').split(decodeURIComponent(pw)).join('***');
  } catch {
    return message;
  }
}
