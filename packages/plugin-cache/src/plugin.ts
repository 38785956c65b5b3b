/** The plugin: builds the SemanticCache from config, registers it, its embedder and its stats. */
import { definePlugin, Embedder, type PluginContext } from '@weft/engine';
import { redactUrl } from '@weft/engine/util';
import { CacheStatsToken, cacheReport } from './cache-stats.js';
import { cacheConfigSchema, type CacheConfig } from './config.js';
import { HashedNgramEmbedder } from './embedding/hashed-ngram-embedder.js';
import { SemanticCache, type SemanticCacheOptions } from './semantic-cache.js';

export const PLUGIN_NAME = '@weft/plugin-cache';

function redisOptions(config: CacheConfig, ctx: PluginContext<CacheConfig>): SemanticCacheOptions['redis'] {
  if (config.redis === false) return undefined;
  const url = config.redis?.url ?? ctx.redisUrl;
  if (url === undefined) return undefined;
  return {
    url,
    ...(config.redis?.keyPrefix ? { keyPrefix: config.redis.keyPrefix } : {}),
    ...(config.redis?.commandTimeoutMs ? { commandTimeoutMs: config.redis.commandTimeoutMs } : {}),
    ...(config.redis?.feedMaxLen ? { feedMaxLen: config.redis.feedMaxLen } : {}),
  };
}

export default definePlugin<CacheConfig>({
  name: PLUGIN_NAME,
  version: '0.1.0',
  engine: '^0.1.0',
  configSchema: cacheConfigSchema,
  async setup(ctx) {
    const config = ctx.config ?? {};
    // A user model registered by an earlier plugin wins over the offline default.
    let embedder = ctx.tryResolve(Embedder);
    if (!embedder) {
      embedder = new HashedNgramEmbedder(config.dimensions ? { dimensions: config.dimensions } : {});
      ctx.setEmbedder(embedder);
    }
    const redis = redisOptions(config, ctx);
    const cache = new SemanticCache({
      ...(config.namespace ? { namespace: config.namespace } : {}),
      ...(config.memoryBudgetBytes ? { memoryBudgetBytes: config.memoryBudgetBytes } : {}),
      policies: { ...(config.defaults ? { defaults: config.defaults } : {}), ...(config.types ? { types: config.types } : {}) },
      embedder,
      ...(redis ? { redis } : {}),
      logger: ctx.logger,
    });
    await cache.start();
    const types = cache.configuredTypes();
    // Opt-in: say once, at startup, when nothing is cached unless a handler declares it.
    if (types.length === 0)
      ctx.logger.info(
        { namespace: cache.namespace },
        'cache: no task type is cached by configuration; only handlers that declare { cache } will be (name types under `types` to cache them)',
      );
    ctx.setResultCache(cache);
    ctx.provide(CacheStatsToken, cache);
    // On a fleet worker's heartbeat, for the dashboard's cache panel.
    ctx.reportStats('cache', () => cacheReport(cache.stats()));
    ctx.logger.debug({ namespace: cache.namespace, types, embedder: embedder.name, redis: redis ? redactUrl(redis.url) : 'off' }, 'cache ready');
    return () => cache.close();
  },
});
