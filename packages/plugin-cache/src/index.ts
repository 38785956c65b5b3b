/**
 * @weft/plugin-cache: a semantic result cache shared by the whole fleet. The root holds the
 * plugin, the cache, its config, stats, embedders and errors; canonicalisation (policies, field
 * kinds) is behind `@weft/plugin-cache/canonical` and the vector indexes behind `/ann`. The
 * names here are snapshotted in test/public-api.test.ts.
 */
export { default, PLUGIN_NAME } from './plugin.js';
export { SemanticCache, type SemanticCacheOptions, type InvalidateScope } from './semantic-cache.js';
export { CacheStatsToken, type CacheStats, type CacheStatsSource } from './cache-stats.js';
export { cacheConfigSchema, type CacheConfig, type TypePolicy, type TypePolicyInput, type Guards } from './config.js';
export type { FieldSpec, FieldSpecInput } from './fields/field-kind.js';
export { HashedNgramEmbedder, type HashedNgramEmbedderOptions } from './embedding/hashed-ngram-embedder.js';
export { embedderFromModel, type ModelEmbedderOptions } from './embedding/embedder-adapter.js';
export { CacheError, CacheErrorCodes, isCacheError, type CacheErrorCode } from './errors.js';
