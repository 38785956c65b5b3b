/**
 * Redis connections of the fleet: options from a URL (`redis://`, `rediss://`, user, password,
 * db, `?cluster=true` for Redis Cluster), reconnection with capped exponential backoff, one clear
 * log line when Redis goes away and one when it returns, and a fail-fast reachability check whose
 * error shows only the redacted URL.
 */
import { isIP } from 'node:net';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { WeftError, errorMessage } from '../errors.js';
import { redactUrl, type Logger } from '../logging/logger.js';
import { redactCredentials } from '../tracing/redact.js';
import { databaseOutOfRange, redisFailure } from './redis-failure.js';

/** The URL from `--redis`, else `REDIS_URL`; undefined when neither is set. */
export function resolveRedisUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return flag ?? env['REDIS_URL'] ?? undefined;
}

/** A client of a single Redis server or of a Redis Cluster: the commands the fleet uses are common to both. */
export type RedisClient = Redis | Cluster;

/**
 * Query parameters a Redis URL may carry. `cluster=true` makes the host:port a seed node of a
 * Redis Cluster; the client discovers the other nodes from it.
 */
const URL_PARAMS = new Set(['cluster']);

/** Whether the URL names a Redis Cluster (`?cluster=true`). */
export function isClusterUrl(url: string): boolean {
  return parseUrl(url).cluster;
}

function parseUrl(url: string): { u: URL; cluster: boolean } {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new WeftError(
      'WEFT_CONFIG_INVALID',
      `Redis URL "${redactUrl(url)}" is not a URL. Use redis://[user:password@]host:port[/db] or rediss://… for TLS.`,
      { cause, retryable: false },
    );
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new WeftError('WEFT_CONFIG_INVALID', `Redis URL "${redactUrl(url)}" has protocol ${u.protocol}; use redis:// or rediss:// (TLS).`, {
      retryable: false,
    });
  }
  for (const key of u.searchParams.keys()) {
    if (!URL_PARAMS.has(key))
      throw new WeftError(
        'WEFT_CONFIG_INVALID',
        `Redis URL "${redactUrl(url)}" has an unknown parameter "${key}"; the only one is cluster=true (Redis Cluster).`,
        { retryable: false },
      );
  }
  const flag = u.searchParams.get('cluster');
  if (flag !== null && !/^(true|false)$/.test(flag)) {
    throw new WeftError('WEFT_CONFIG_INVALID', `Redis URL "${redactUrl(url)}" has cluster=${flag}; write cluster=true for a Redis Cluster, or leave it out.`, {
      retryable: false,
    });
  }
  const cluster = flag === 'true';
  if (cluster && u.pathname.length > 1) {
    throw new WeftError(
      'WEFT_CONFIG_INVALID',
      `Redis URL "${redactUrl(url)}" selects database ${u.pathname.slice(1)}, but a Redis Cluster has only database 0; remove "${u.pathname}".`,
      { retryable: false },
    );
  }
  return { u, cluster };
}

/** ioredis options from a Redis URL; `rediss://` turns TLS on. For a cluster URL, the seed node's options. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const { u } = parseUrl(url);
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
export function watchConnection(redis: RedisClient, url: string, logger: Logger, role: string, onRestored?: () => void): void {
  let lost = false;
  const where = redactUrl(url);
  const isLost = (detail: Record<string, unknown>): void => {
    if (lost) return;
    lost = true;
    logger.warn({ role, redis: where, ...detail }, `redis connection lost (${where}); reconnecting with backoff`);
  };
  const isBack = (): void => {
    if (!lost) return;
    lost = false;
    logger.warn({ role, redis: where }, `redis connection restored (${where}); carrying on`);
    onRestored?.();
  };
  redis.on('error', (err: unknown) => {
    if (!lost) logger.debug({ role, err: errorMessage(err) }, 'redis error');
  });
  // `reconnecting` fires only for a lost connection, never for a deliberate quit()/disconnect().
  redis.on('reconnecting', (delayMs: number) => isLost({ delayMs }));
  redis.on('ready', isBack);
  if (redis instanceof Cluster) {
    // A cluster stays "ready" while one node is down, so a node error says a node is gone, and
    // the cluster is back once every master now serving slots answers: the same node restarted,
    // or a replica promoted in its place (a failover, where the lost node never returns).
    let probing: NodeJS.Timeout | undefined;
    let ended = false;
    const probeLater = (): void => {
      if (probing || !lost || ended) return;
      probing = setTimeout(() => {
        void mastersAnswer(redis, url).then((ok) => {
          probing = undefined;
          // Closed meanwhile: a deliberate close is no return.
          if (ended) return;
          if (ok) isBack();
          else probeLater();
        });
      }, CLUSTER_PROBE_MS);
      probing.unref();
    };
    redis.on('node error', (err: unknown, address: string) => {
      isLost({ node: address, err: redactSecret(errorMessage(err), url) });
      probeLater();
    });
    redis.on('end', () => {
      ended = true;
      clearTimeout(probing);
    });
  }
}

/** A one-shot connection's options: it answers within `timeoutMs` or fails, and never retries. */
function probeOptions(timeoutMs: number): ClientOptions {
  return { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs };
}

/** How often a cluster that lost a node is probed for its return. */
const CLUSTER_PROBE_MS = 500;

/**
 * Whether every master the client routes slots to answers PING, on connections of the probe's
 * own (a node's pooled connection may queue a command until it reconnects), after a slots refresh.
 */
async function mastersAnswer(cluster: Cluster, url: string): Promise<boolean> {
  await new Promise<void>((resolve) => cluster.refreshSlotsCache(() => resolve()));
  const masters = new Set<string>();
  for (const owners of cluster.slots) if (owners?.[0]) masters.add(owners[0]);
  // Every slot must have an owner: a refresh from a node that lost its view leaves gaps.
  if (cluster.slots.length < 16_384 || cluster.slots.some((owners) => !owners?.[0])) return false;
  const base = redisOptionsFromUrl(url);
  const answers = await Promise.all(
    [...masters].map(async (key) => {
      const at = key.lastIndexOf(':');
      const probe = new Redis({ ...base, host: key.slice(0, at), port: Number(key.slice(at + 1)), ...probeOptions(1_000), enableOfflineQueue: false });
      probe.on('error', () => {});
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        probe.disconnect();
      }
    }),
  );
  return answers.every(Boolean);
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

/** Options of createRedisClient: per-connection ioredis options, plus two a cluster takes at its own level. */
export type ClientOptions = RedisOptions & Pick<ClusterOptions, 'enableAutoPipelining' | 'lazyConnect'>;

/**
 * A client for the URL: a single server, or a Redis Cluster for `?cluster=true` (seeded by the
 * URL's host:port, every node reached with the URL's credentials and TLS). `options` apply to
 * each node's connection; reconnection backoff applies to the cluster as a whole.
 */
export function createRedisClient(url: string, options: ClientOptions = {}): RedisClient {
  const node = redisOptionsFromUrl(url);
  if (!isClusterUrl(url)) return new Redis({ ...node, ...options });
  // Nodes announce IP addresses; with TLS each is still checked against the seed's host name (servername).
  const { host, port, lazyConnect, enableAutoPipelining, retryStrategy, ...perNode } = { ...node, ...options };
  // Clients that wait out an outage (maxRetriesPerRequest null) keep following the slots while a
  // node is down, instead of failing after 16 redirections; BullMQ's own clients are among them.
  const waits = perNode.maxRetriesPerRequest === null;
  return new Cluster([{ host: host ?? '127.0.0.1', port: port ?? 6379 }], {
    redisOptions: perNode,
    ...(waits ? { maxRedirections: Number.MAX_SAFE_INTEGER, retryDelayOnMoved: 50, retryDelayOnClusterDown: 100, retryDelayOnTryAgain: 100 } : {}),
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    ...(enableAutoPipelining !== undefined ? { enableAutoPipelining } : {}),
    // A client that must not queue while Redis is away must not queue at the cluster level either.
    ...(perNode.enableOfflineQueue === false ? { enableOfflineQueue: false } : {}),
    ...(retryStrategy ? { clusterRetryStrategy: (times: number) => retryStrategy(times) ?? null } : {}),
  });
}

/** A client reconnecting with backoff, logging loss and return. */
export function connectRedis(url: string, logger: Logger, role: string, options: ConnectOptions = {}): RedisClient {
  const redis = createRedisClient(url, { ...fleetRedisOptions(url), lazyConnect: true, enableAutoPipelining: options.autoPipelining ?? false });
  watchConnection(redis, url, logger, role, options.onRestored);
  return redis;
}

/**
 * Connects and pings within `timeoutMs`, or fails with the redacted URL and the fix. The server
 * (for a cluster, its seed node) is probed on its own first: a cluster client hides socket and
 * certificate errors behind "Connection is closed".
 */
export async function assertReachable(url: string, timeoutMs = 5_000): Promise<void> {
  const noRetry = probeOptions(timeoutMs);
  const { db = 0, ...options } = redisOptionsFromUrl(url);
  const probe = new Redis({ ...options, ...noRetry });
  // ioredis rejects with a generic "Connection is closed"; the socket error says why.
  let lastError: unknown;
  probe.on('error', (err: unknown) => (lastError = err));
  let clusterEnabled: boolean;
  try {
    await probe.connect();
    await probe.ping();
    // ioredis selects the URL's database on connect and only logs a refusal; ask on purpose.
    if (db > 0)
      await probe.select(db).catch((err: unknown) => {
        throw databaseOutOfRange(url, db, errorMessage(err));
      });
    clusterEnabled = /cluster_enabled:1/.test(await probe.info('cluster').catch(() => ''));
  } catch (cause) {
    if (cause instanceof WeftError) throw cause;
    const failure = lastError ?? cause;
    throw redisFailure(failure, url, redactSecret(errorMessage(failure), url).replace(/\.$/, ''));
  } finally {
    probe.disconnect();
  }
  const cluster = isClusterUrl(url);
  if (clusterEnabled && !cluster) {
    throw new WeftError(
      'WEFT_CONFIG_INVALID',
      `Redis at ${redactUrl(url)} is a Redis Cluster node; add ?cluster=true to the URL so the client follows the cluster's slots.`,
      { retryable: false, details: { redis: redactUrl(url) } },
    );
  }
  if (cluster && !clusterEnabled) {
    throw new WeftError(
      'WEFT_CONFIG_INVALID',
      `Redis at ${redactUrl(url)} is not a Redis Cluster node (cluster_enabled:0); remove ?cluster=true from the URL.`,
      { retryable: false, details: { redis: redactUrl(url) } },
    );
  }
  if (cluster) await assertClusterReady(url, noRetry);
}

/** A cluster that has not assigned every slot answers CLUSTERDOWN; say so at start, not per command. */
async function assertClusterReady(url: string, options: ClientOptions): Promise<void> {
  const client = createRedisClient(url, options);
  client.on('error', () => {});
  let info: string;
  try {
    await client.connect();
    info = String(await client.cluster('INFO'));
  } catch (cause) {
    throw new WeftError(
      'WEFT_REDIS_UNAVAILABLE',
      `Redis Cluster at ${redactUrl(url)} answered at its seed node, but its nodes cannot be reached (${redactSecret(errorMessage(cause), url)}). Check that every node's announced address is reachable from here.`,
      { cause, retryable: false, details: { redis: redactUrl(url) } },
    );
  } finally {
    client.disconnect();
  }
  const state = /cluster_state:(\w+)/.exec(info)?.[1];
  if (state !== 'ok') {
    throw new WeftError(
      'WEFT_REDIS_UNAVAILABLE',
      `Redis Cluster at ${redactUrl(url)} is not ready (cluster_state:${state ?? 'unknown'}). Assign every hash slot to a node (redis-cli --cluster create / fix) and try again.`,
      { retryable: false, details: { redis: redactUrl(url) } },
    );
  }
}

/** Removes the URL's password from a foreign message, should a client ever echo it, and any URL's credentials. */
export function redactSecret(message: string, url: string): string {
  let pw = '';
  try {
    pw = new URL(url).password;
  } catch {
    // Not a URL: only credentials in URL shape can be found.
  }
  const plain = pw ? message.split(pw).join('***').split(decodeURIComponent(pw)).join('***') : message;
  return redactCredentials(plain);
}
