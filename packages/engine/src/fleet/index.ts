/** `@weft/engine/fleet`: the BullMQ fleet on Redis (runtime, executor, worker), its status readers and its Redis connection helpers. */
export { fleetRuntime, type FleetRuntime } from './fleet-runtime.js';
export { FleetExecutor } from './fleet-executor.js';
export { FleetWorker } from './fleet-worker.js';
export { PluginStats } from '../plugin/plugin-stats.js';
export type { FleetCommonOptions, FleetExecutorOptions, FleetWorkerOptions } from './fleet-options.js';
export { FleetKeys, DEFAULT_PREFIX } from './fleet-keys.js';
export { readFleetStatus, readRunStatus, type FleetStatus, type QueueDepth, type StatusOptions } from './fleet-status.js';
export type { WorkerRecord, RegistrySnapshot } from './worker-registry.js';
export type { RunRecord, StepRecord, FanOutRecord, DecisionRecord } from './run-store.js';
export type { JobPayload, TaskReply, SerializedError } from './job-payload.js';
export { resolveRedisUrl, redisOptionsFromUrl, createRedisClient, isClusterUrl, type RedisClient, type ClientOptions } from './redis-connection.js';
export { observeFleetStatus } from '../metrics/fleet-gauges.js';
