/**
 * Fleet mode: the model JSON and its version in one Redis hash, so every runner uses the same
 * model. Publishing bumps the version and writes the body in one Lua script (atomic).
 */
import type { Logger } from '@weft/engine';
import { createRedisClient, type RedisClient } from '@weft/engine/fleet';
import { MlError, errorMessage } from '../errors.js';
import { parseModel, type ModelSnapshot } from '../model/model-format.js';
import type { ModelStore, UnversionedModel } from './model-store.js';

const PUBLISH = `
local v = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'body', ARGV[1])
return v`;

export interface RedisModelStoreOptions {
  readonly url: string;
  /** Key of the model hash. Default `weft:ml:model`. */
  readonly key?: string;
  readonly logger?: Logger;
  /** Connection timeout, in ms. Default 2000. */
  readonly connectTimeoutMs?: number;
}

export class RedisModelStore implements ModelStore {
  readonly kind = 'redis';
  readonly key: string;
  private readonly redis: RedisClient;

  constructor(options: RedisModelStoreOptions) {
    this.key = options.key ?? 'weft:ml:model';
    // Fail fast instead of queueing: a prediction must never wait for Redis. One key, so a Redis
    // Cluster URL (`?cluster=true`) works too.
    this.redis = createRedisClient(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: options.connectTimeoutMs ?? 2000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    this.redis.on('error', (err: Error) => options.logger?.debug({ err: errorMessage(err) }, 'plugin-ml: Redis connection error'));
  }

  async open(): Promise<void> {
    await this.call('connect', () => this.redis.connect());
  }

  async load(): Promise<ModelSnapshot | undefined> {
    const [version, body] = await this.call('load', () => this.redis.hmget(this.key, 'version', 'body'));
    if (body === null || body === undefined || version === null || version === undefined) return undefined;
    const model = parseModel(body, `Redis key ${this.key}`);
    // The hash's version is the truth: the body was written before the version was known.
    return { ...model, version: Number(version) };
  }

  async latestVersion(): Promise<number | undefined> {
    const v = await this.call('read version', () => this.redis.hget(this.key, 'version'));
    return v === null ? undefined : Number(v);
  }

  async publish(model: UnversionedModel): Promise<number> {
    const body = JSON.stringify({ ...model, version: 0 });
    const v = await this.call('publish', () => this.redis.eval(PUBLISH, 1, this.key, body));
    return Number(v);
  }

  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new MlError(
        'WEFT_ML_STORE_UNAVAILABLE',
        `Redis ${what} for the model at key ${this.key} failed: ${errorMessage(err)}. Predictions continue with the local model; check that Redis is reachable.`,
        { cause: err, details: { key: this.key } },
      );
    }
  }
}
