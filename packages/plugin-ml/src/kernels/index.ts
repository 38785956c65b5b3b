/**
 * `@weft/plugin-ml/kernels`: the predictor's building blocks: the feature encoding, the per-pair
 * and per-worker statistics, service estimates, confidence, the model format and the compiled
 * network. For evaluation and tests; they may change in any minor release.
 */
export { FEATURES, FEATURE_COUNT, FEATURE_VERSION, TASK_FEATURE_COUNT, DEFAULT_BASELINE_MS, type FeatureDoc } from '../features/feature-spec.js';
export { encodeBatch, encodeTask, baselineMs, encodeDurationRatio, decodeDurationRatio, type EncodedBatch } from '../features/encode.js';
export { batchArrays, type BatchArrays } from '../features/batch-arrays.js';
export { PairStats, PAIR_STRIDE, writePairRow, type PairStat, type PairStatsView, type PairStatsOptions, type PairTable } from '../features/pair-stats.js';
export { fnv1a } from '../features/hash.js';
export { firstEstimate, nextEstimate, relativeStandardError, type ServiceEstimate } from '../features/service-estimate.js';
export { WorkLedger, type WorkerState } from '../features/work-ledger.js';
export { TypeSizes } from '../features/type-sizes.js';
export { Specialties, SPECIALTY_MARGIN, type TypeStats } from '../predictor/specialties.js';
export { confidenceOf, modelQuality, type ConfidenceInputs } from '../predictor/confidence.js';
export {
  parseModel,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  OUTPUT_COUNT,
  type ModelSnapshot,
  type ModelQuality,
  type NetworkJson,
} from '../model/model-format.js';
export { CompiledNetwork } from '../model/compiled-network.js';
