/** @weft/plugin-cache: a semantic result cache shared by the whole fleet. */
export { default, PLUGIN_NAME } from './plugin.js';
export { SemanticCache, type SemanticCacheOptions, type InvalidateScope } from './semantic-cache.js';
export { CacheStatsToken, type CacheStats, type CacheStatsSource } from './cache-stats.js';
export {
  cacheConfigSchema,
  typePolicySchema,
  defaultsPolicySchema,
  resolvePolicy,
  type CacheConfig,
  type TypePolicy,
  type TypePolicyInput,
  type Guards,
} from './config.js';
export { FIELD_KINDS, fieldSpecSchema, kindsFromSchema, type FieldSpec, type FieldSpecInput } from './fields/field-kind.js';
export { canonicalUrl } from './fields/url-field.js';
export { canonicalPath } from './fields/path-field.js';
export { canonicalSql } from './fields/sql-field.js';
export { canonicalHeaders } from './fields/headers-field.js';
export { unicodeForm } from './fields/unicode.js';
export { sameEntities } from './canonical/entities.js';
export { canonicalise, type CanonicalTask } from './canonical/canonicalise.js';
export { sameWords } from './canonical/lexical-check.js';
export { guardSignature } from './canonical/guards.js';
export { stableJson } from './canonical/stable-json.js';
export { HashedNgramEmbedder, type HashedNgramEmbedderOptions } from './embedding/hashed-ngram-embedder.js';
export { embedderFromModel, type ModelEmbedderOptions } from './embedding/embedder-adapter.js';
export { HnswIndex, type HnswOptions } from './ann/hnsw-index.js';
export { FlatIndex } from './ann/flat-index.js';
export type { VectorIndex, Neighbour } from './ann/vector-index.js';
export { CacheError, CacheErrorCodes, isCacheError, type CacheErrorCode } from './errors.js';
