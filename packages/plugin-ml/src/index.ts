/** @weft/plugin-ml: a brain.js predictor that learns which worker serves each task best. */
export { default, MlPredictorToken, storeFor } from './plugin.js';
export { MlPredictor, type MlPredictorDeps, type MlPredictorStats, type FallbackReason } from './predictor/ml-predictor.js';
export { Specialties, SPECIALTY_MARGIN, type TypeStats } from './predictor/specialties.js';
export { confidenceOf, modelQuality, type ConfidenceInputs } from './predictor/confidence.js';
export { mlConfigSchema, resolveConfig, type MlConfig, type MlConfigInput } from './config.js';
export { MlError, MlErrorCodes, isMlError, type MlErrorCode, type MlErrorOptions } from './errors.js';
export { FEATURES, FEATURE_COUNT, FEATURE_VERSION, TASK_FEATURE_COUNT, DEFAULT_BASELINE_MS, type FeatureDoc } from './features/feature-spec.js';
export { encodeBatch, encodeTask, baselineMs, encodeDurationRatio, decodeDurationRatio, type EncodedBatch } from './features/encode.js';
export { batchArrays, type BatchArrays } from './features/batch-arrays.js';
export { PairStats, type PairStat, type PairStatsView, type PairStatsOptions } from './features/pair-stats.js';
export { fnv1a } from './features/hash.js';
export { parseModel, MODEL_FORMAT, MODEL_FORMAT_VERSION, OUTPUT_COUNT, type ModelSnapshot, type ModelQuality, type NetworkJson } from './model/model-format.js';
export { CompiledNetwork } from './model/compiled-network.js';
export type { ModelStore, UnversionedModel } from './store/model-store.js';
export { MemoryModelStore } from './store/memory-store.js';
export { FileModelStore } from './store/file-store.js';
export { RedisModelStore, type RedisModelStoreOptions } from './store/redis-store.js';
export { predictorRouter, type LearningPredictor, type PredictorRouterCounts } from './eval/predictor-router.js';
