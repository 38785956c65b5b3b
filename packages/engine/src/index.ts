/**
 * @weft/engine: the public API: the factory, the pipeline and plugin APIs, the main contracts,
 * the errors and the config types. Everything else is behind a subpath: `@weft/engine/contracts`
 * (every contract type and DI token), `/fleet`, `/executors`, `/tracing`, `/testing`, `/dlq`,
 * `/dashboard` and `/telemetry`. The names here are snapshotted in test/public-api.test.ts.
 */
export { createEngine, type CreateEngineOptions, type Engine } from './engine.js';
export { ENGINE_VERSION } from './version.js';
export { ErrorCodes, WeftError, NonRetryableError, isWeftError, isRetryable, errorMessage, type WeftErrorCode, type WeftErrorOptions } from './errors.js';
export { engineConfigSchema, type EngineConfig, type EngineConfigInput } from './config/engine-config.js';
export { LoggerToken, ExecutorToken } from './tokens.js';
/** tsyringe's token type, so plugins can declare typed tokens without depending on tsyringe. */
export type { InjectionToken } from 'tsyringe';
export { definePlugin, isPlugin, type Plugin, type PluginDefinition } from './plugin/define-plugin.js';
export type { PluginContext } from './plugin/plugin-context.js';
export type { PluginSpec } from './plugin/plugin-spec.js';
export { pipeline, ref, stepOutput, PipelineBuilder, type StepOptions } from './pipeline/pipeline-builder.js';
export type { PipelineDefinition, StepDefinition, ValueExpr, RetryPolicy } from './pipeline/pipeline-types.js';
export { validatePipeline } from './pipeline/validate-pipeline.js';
export { loadPipelineFile } from './pipeline/load-pipeline-file.js';
export { PipelineRunError } from './scheduler/run-error.js';
export type { RunResult, RunOptions, RunEvent, StepReport } from './scheduler/run-types.js';
export type { HandlerContext, HandlerOptions, TaskHandler } from './contracts/handler.js';
export { moduleHandler } from './isolate/module-handler.js';
export type { TaskDescriptor, TaskOutcome } from './contracts/task.js';
export type { WorkerView } from './contracts/worker.js';
export { BalancingStrategy, Predictor, WorkerGuard } from './contracts/routing.js';
export { ResultCache, Embedder } from './contracts/cache.js';
export { LanguageBridge } from './contracts/language-bridge.js';
export type { Executor } from './executors/executor.js';
export type { HookMap, HookName } from './contracts/hooks.js';
export { createLogger, silentLogger, type Logger } from './logging/logger.js';
