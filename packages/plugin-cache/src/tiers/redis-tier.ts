/**
 * The shared tier: entries under exact keys with Redis TTLs, plus a feed (a capped stream) of
 * new entries and invalidations that every process tails, so a near match stored by one worker
 * is found by the others' indexes. Redis trouble never fails a lookup: it is logged once per
 * outage and counted, and the call answers as a miss.
 */
import { Cluster } from 'ioredis';
import type { Logger } from '@weft/engine';
import { createRedisClient, isClusterUrl, type RedisClient } from '@weft/engine/fleet';
import { redactUrl } from '@weft/engine/util';
import { dequantise, quantise } from '../ann/vector-math.js';
import { CacheError, messageOf } from '../errors.js';
import type { CacheEntry } from './cache-entry.js';
import { RedisKeys } from './redis-keys.js';

export interface RedisTierOptions {
  url: string;
  /** Default `weft:cache`. */
  keyPrefix?: string;
  namespace: string;
  /** Default 250 ms. */
  commandTimeoutMs?: number;
  /** Default 100,000. */
  feedMaxLen?: number;
  /** Tells this process's own feed messages apart. */
  instanceId: string;
  logger: Logger;
}

export type FeedMessage =
  { readonly op: 'put'; readonly entry: CacheEntry } | { readonly op: 'invalidate'; readonly type?: string; readonly handlerVersion?: string };

interface StoredValue {
  t: string;
  v: string;
  p: string;
  x: string;
  e: number;
  o: string;
}

const backoff = (times: number): number => Math.min(times * 100, 1000);
const FEED_BATCH = 500;
const FEED_SLICE = 25;

export class RedisTier {
  private readonly client: RedisClient;
  private readonly reader: RedisClient;
  private readonly keys: RedisKeys;
  private readonly feedMaxLen: number;
  private closed = false;
  private healthy = true;
  private feedLoop: Promise<void> | undefined;
  /** Calls that failed (timeouts, connection loss). */
  errors = 0;
  /** Feed messages from other processes applied here. */
  feedReceived = 0;

  constructor(private readonly options: RedisTierOptions) {
    this.keys = new RedisKeys(options.keyPrefix ?? 'weft:cache', options.namespace, isClusterUrl(options.url));
    this.feedMaxLen = options.feedMaxLen ?? 100_000;
    // No offline queue: while Redis is away a lookup must miss now, not wait for a reconnect.
    this.client = createRedisClient(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 250,
      connectTimeout: 2000,
      retryStrategy: backoff,
    });
    // The feed reader blocks for up to a second per call, so it gets its own connection and waits out outages.
    this.reader = createRedisClient(options.url, { lazyConnect: true, maxRetriesPerRequest: null, connectTimeout: 2000, retryStrategy: backoff });
    for (const c of [this.client, this.reader]) {
      c.on('error', (err: unknown) => this.trouble(err, 'connection'));
      c.on('ready', () => this.recovered());
    }
  }

  get isHealthy(): boolean {
    return this.healthy && this.client.status === 'ready';
  }

  /** Connects and starts tailing the feed; a Redis that is down now is logged, not thrown. */
  async start(onFeed: (msg: FeedMessage) => void): Promise<void> {
    try {
      await this.client.connect();
      this.options.logger.info({ redis: redactUrl(this.options.url), namespace: this.options.namespace }, 'cache: shared Redis tier connected');
    } catch (err) {
      this.trouble(err, 'connect');
    }
    this.feedLoop = this.tail(onFeed);
  }

  async get(type: string, version: string, key: string): Promise<CacheEntry | undefined> {
    if (this.closed) return undefined;
    let raw: string | null;
    try {
      raw = await this.client.get(this.keys.entry(type, version, key));
    } catch (err) {
      this.trouble(err, 'get');
      return undefined;
    }
    if (raw === null) return undefined;
    try {
      const s = JSON.parse(raw) as StoredValue;
      return { key, partition: s.p, type: s.t, handlerVersion: s.v, text: s.x, expiresAt: s.e, outputJson: s.o };
    } catch (err) {
      const e = new CacheError(
        'WEFT_CACHE_ENTRY_CORRUPT',
        `Cache entry ${key} of "${type}" in Redis is not valid JSON; it is ignored. Invalidate the type to clear it.`,
        { cause: err },
      );
      this.options.logger.warn({ err: e.message, code: e.code }, 'cache: corrupt entry');
      return undefined;
    }
  }

  async set(entry: CacheEntry, ttlMs: number): Promise<void> {
    if (this.closed || entry.outputJson === undefined) return;
    const value: StoredValue = { t: entry.type, v: entry.handlerVersion, p: entry.partition, x: entry.text, e: entry.expiresAt, o: entry.outputJson };
    const key = this.keys.entry(entry.type, entry.handlerVersion, entry.key);
    const fields = [
      'op',
      'put',
      'i',
      this.options.instanceId,
      'k',
      entry.key,
      't',
      entry.type,
      'v',
      entry.handlerVersion,
      'p',
      entry.partition,
      'x',
      entry.text,
      'e',
      String(entry.expiresAt),
    ];
    if (entry.vector) fields.push('q', quantise(entry.vector).toString('base64'));
    try {
      const multi = this.client.multi();
      if (ttlMs > 0) multi.set(key, JSON.stringify(value), 'PX', ttlMs);
      else multi.set(key, JSON.stringify(value));
      multi.xadd(this.keys.feed, 'MAXLEN', '~', this.feedMaxLen, '*', ...fields);
      await multi.exec();
    } catch (err) {
      this.trouble(err, 'set');
    }
  }

  /** Deletes shared entries of a type and/or version (all of the namespace when both are absent); returns how many. */
  async invalidate(type?: string, handlerVersion?: string): Promise<number> {
    if (this.closed) return 0;
    let removed = 0;
    try {
      // SCAN reads one server; on a cluster, every master (the namespace's slot lives on one).
      const servers = this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
      for (const server of servers) {
        let cursor = '0';
        do {
          const [next, keys] = await server.scan(cursor, 'MATCH', this.keys.pattern(type, handlerVersion), 'COUNT', 1000);
          cursor = next;
          if (keys.length) removed += await this.client.unlink(...keys);
        } while (cursor !== '0');
      }
      const fields = ['op', 'inv', 'i', this.options.instanceId];
      if (type !== undefined) fields.push('t', type);
      if (handlerVersion !== undefined) fields.push('v', handlerVersion);
      await this.client.xadd(this.keys.feed, 'MAXLEN', '~', this.feedMaxLen, '*', ...fields);
    } catch (err) {
      this.trouble(err, 'invalidate');
    }
    return removed;
  }

  private async tail(onFeed: (msg: FeedMessage) => void): Promise<void> {
    // From the start of the feed: a process that joins late learns what the fleet already cached.
    let last = '0';
    while (!this.closed) {
      try {
        const res = await this.reader.xread('COUNT', FEED_BATCH, 'BLOCK', 1000, 'STREAMS', this.keys.feed, last);
        for (const [, messages] of res ?? []) {
          for (let i = 0; i < messages.length; i++) {
            const [id, fields] = messages[i]!;
            last = id;
            const msg = this.parse(fields);
            if (msg) {
              this.feedReceived++;
              onFeed(msg);
            }
            // Indexing is synchronous work: let lookups in between while catching up on a long feed.
            if (i % FEED_SLICE === FEED_SLICE - 1) await new Promise((r) => setImmediate(r));
          }
        }
      } catch (err) {
        if (this.closed) return;
        this.trouble(err, 'feed');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private parse(fields: string[]): FeedMessage | undefined {
    const f = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
    if (f.get('i') === this.options.instanceId) return undefined;
    if (f.get('op') === 'inv') {
      const type = f.get('t');
      const handlerVersion = f.get('v');
      return { op: 'invalidate', ...(type === undefined ? {} : { type }), ...(handlerVersion === undefined ? {} : { handlerVersion }) };
    }
    const key = f.get('k');
    const type = f.get('t');
    const handlerVersion = f.get('v');
    const partition = f.get('p');
    if (f.get('op') !== 'put' || !key || type === undefined || handlerVersion === undefined || partition === undefined) return undefined;
    const q = f.get('q');
    const entry: CacheEntry = {
      key,
      type,
      handlerVersion,
      partition,
      text: f.get('x') ?? '',
      expiresAt: Number(f.get('e') ?? 0),
      ...(q ? { vector: dequantise(Buffer.from(q, 'base64')) } : {}),
    };
    return { op: 'put', entry };
  }

  private trouble(err: unknown, during: string): void {
    this.errors++;
    if (!this.healthy || this.closed) return;
    this.healthy = false;
    const e = new CacheError(
      'WEFT_CACHE_REDIS_UNAVAILABLE',
      `Cache Redis tier at ${redactUrl(this.options.url)} failed during ${during}: ${messageOf(err)}. Lookups miss until it is back.`,
      {
        cause: err,
      },
    );
    this.options.logger.warn({ code: e.code, redis: redactUrl(this.options.url), during, err: messageOf(err) }, e.message);
  }

  private recovered(): void {
    if (this.healthy || this.closed) return;
    this.healthy = true;
    this.options.logger.info({ redis: redactUrl(this.options.url) }, 'cache: shared Redis tier is back');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reader.disconnect();
    // A reader that never reached Redis may hold its blocked call forever: wait a moment, not longer.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.feedLoop, new Promise<void>((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
