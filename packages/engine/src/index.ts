/** @weft/engine: the public API. Nothing else is imported by plugins or applications. */
export { createEngine, type CreateEngineOptions, type Engine } from './engine.js';
export type { ExecutorDeps, Router } from './executors/executor-deps.js';
export { ENGINE_VERSION } from './version.js';
export { ErrorCodes, WeftError, NonRetryableError, isWeftError, isRetryable, errorMessage, type WeftErrorCode, type WeftErrorOptions } from './errors.js';
export { LoggerToken, TracerToken, MeterProviderToken, EngineConfigToken, ExecutorToken, ExecutorDepsToken, RouterToken } from './tokens.js';
/** tsyringe's token type, so plugins can declare typed tokens without depending on tsyringe. */
export type { InjectionToken, DependencyContainer } from 'tsyringe';
export { BalancingStrategy, Predictor, WorkerGuard } from './contracts/routing.js';
export type { CandidateScore, Prediction, SelectContext, StrategyChoice, GuardVerdict, RouteDecision } from './contracts/routing.js';
export { ResultCache, Embedder, type CacheHit, type CacheFieldKind, type CacheFieldSpec, type CachePolicyDeclaration } from './contracts/cache.js';
export { LanguageBridge, type TextPosition } from './contracts/language-bridge.js';
export type { TaskDescriptor, TaskOutcome } from './contracts/task.js';
export { workerAccepts, type WorkerView, type WorkerStats } from './contracts/worker.js';
export type { HandlerContext, HandlerOptions, TaskHandler, RegisteredHandler } from './contracts/handler.js';
export { moduleHandler, type ModuleHandlerOptions } from './isolate/module-handler.js';
export type {
  HookMap,
  HookName,
  HookFn,
  AnsweringHook,
  TaskAnswer,
  PipelineStartEvent,
  PipelineEndEvent,
  RouteBeforeEvent,
  RouteAfterEvent,
  TaskErrorEvent,
} from './contracts/hooks.js';
export type { StandardSchemaV1 } from './contracts/standard-schema.js';
export { definePlugin, isPlugin, type Plugin, type PluginDefinition, type Teardown } from './plugin/define-plugin.js';
export type { PluginContext } from './plugin/plugin-context.js';
export type { PluginSpec } from './plugin/plugin-spec.js';
export type { LoadedPlugin } from './plugin/plugin-loader.js';
export { pipeline, ref, stepOutput, PipelineBuilder, type StepOptions } from './pipeline/pipeline-builder.js';
export type { PipelineDefinition, StepDefinition, ValueExpr, Ref, Condition, RetryPolicy, BackoffPolicy } from './pipeline/pipeline-types.js';
export { validatePipeline, type ValidateOptions } from './pipeline/validate-pipeline.js';
export { loadPipelineFile } from './pipeline/load-pipeline-file.js';
export { PipelineRunError } from './scheduler/run-error.js';
export type { RunResult, RunOptions, RunEvent, StepReport, StepStatus } from './scheduler/run-types.js';
export type { Executor, ExecuteRequest } from './executors/executor.js';
export { MemoryExecutor, type EmbeddedWorkerOptions } from './executors/memory-executor.js';
export { WorkerStatsTracker, type WorkerStatsOptions } from './executors/worker-stats.js';
export { runTask, type RunTaskOptions } from './executors/task-runner.js';
export type { HandlerRegistry } from './handlers/handler-registry.js';
export type { Reselect, RoutingConfig } from './dispatch/dispatcher.js';
export { engineConfigSchema, type EngineConfig, type EngineConfigInput } from './config/engine-config.js';
export { SpanNames, Attr } from './tracing/attributes.js';
export { MetricNames, MetricAttr, WEFT_METER } from './metrics/metric-names.js';
export { EngineMetrics } from './metrics/engine-metrics.js';
export { observeFleetStatus } from './metrics/fleet-gauges.js';
export { Telemetry, failSpan } from './tracing/telemetry.js';
export { formatSpanTree, type SpanLike } from './tracing/span-tree.js';
export { createLogger, silentLogger, redactUrl, type Logger, type CreateLoggerOptions } from './logging/logger.js';
export { seededRandom } from './util/random.js';
export { sleep } from './util/abort.js';
export { fleetRuntime, type FleetRuntime } from './fleet/fleet-runtime.js';
export { FleetExecutor } from './fleet/fleet-executor.js';
export { FleetWorker } from './fleet/fleet-worker.js';
export type { FleetCommonOptions, FleetExecutorOptions, FleetWorkerOptions } from './fleet/fleet-options.js';
export { FleetKeys, DEFAULT_PREFIX } from './fleet/fleet-keys.js';
export { readFleetStatus, readRunStatus, type FleetStatus, type QueueDepth, type StatusOptions } from './fleet/fleet-status.js';
export type { WorkerRecord, RegistrySnapshot } from './fleet/worker-registry.js';
export type { RunRecord, StepRecord, FanOutRecord, DecisionRecord } from './fleet/run-store.js';
export type { JobPayload, TaskReply, SerializedError } from './fleet/job-payload.js';
export { resolveRedisUrl, redisOptionsFromUrl, createRedisClient, isClusterUrl, type RedisClient, type ClientOptions } from './fleet/redis-connection.js';
