/**
 * @weft/plugin-ml: a brain.js predictor that learns which worker serves each task best. The
 * root holds the plugin, the predictor, its config, errors and model stores; the feature and
 * model kernels are behind `@weft/plugin-ml/kernels`, the evaluation router behind `/eval`.
 * The names here are snapshotted in test/public-api.test.ts.
 */
export { default, MlPredictorToken, storeFor } from './plugin.js';
export { MlPredictor, type MlPredictorDeps } from './predictor/ml-predictor.js';
export type { MlPredictorStats, FallbackReason } from './predictor/predictor-stats.js';
export { mlConfigSchema, resolveConfig, type MlConfig, type MlConfigInput } from './config.js';
export { MlError, MlErrorCodes, isMlError, type MlErrorCode, type MlErrorOptions } from './errors.js';
export type { ModelSnapshot } from './model/model-format.js';
export type { ModelStore, UnversionedModel } from './store/model-store.js';
export { MemoryModelStore } from './store/memory-store.js';
export { FileModelStore } from './store/file-store.js';
export { RedisModelStore, type RedisModelStoreOptions } from './store/redis-store.js';
