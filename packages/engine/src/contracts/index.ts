/**
 * `@weft/engine/contracts`: every contract a plugin implements or reads, with its supporting
 * types, and every DI token. The root exports the main ones; this door has them all.
 */
export type { InjectionToken, DependencyContainer } from 'tsyringe';
export { LoggerToken, TracerToken, MeterProviderToken, EngineConfigToken, ExecutorToken, ExecutorDepsToken, RouterToken } from '../tokens.js';
export { BalancingStrategy, Predictor, WorkerGuard } from './routing.js';
export type { CandidateScore, Prediction, SelectContext, StrategyChoice, GuardVerdict, RouteDecision } from './routing.js';
export { ResultCache, Embedder, type CacheHit, type CacheFieldKind, type CacheFieldSpec, type CachePolicyDeclaration } from './cache.js';
export type { PluginStatsSection, CacheStatsReport } from './plugin-stats.js';
export { PLUGIN_STATS_MAX_BYTES, PLUGIN_STATS_MAX_SECTIONS } from '../plugin/plugin-stats.js';
export { LanguageBridge, type TextPosition } from './language-bridge.js';
export type { TaskDescriptor, TaskOutcome } from './task.js';
export { workerAccepts, type WorkerView, type WorkerStats } from './worker.js';
export type { HandlerContext, HandlerOptions, TaskHandler, RegisteredHandler } from './handler.js';
export type { ModuleHandlerOptions } from '../isolate/module-handler.js';
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
} from './hooks.js';
export type { StandardSchemaV1 } from './standard-schema.js';
export type { Teardown } from '../plugin/define-plugin.js';
export type { LoadedPlugin } from '../plugin/plugin-loader.js';
export type { Executor, ExecuteRequest } from '../executors/executor.js';
export type { ExecutorDeps, Router } from '../executors/executor-deps.js';
export type { HandlerRegistry } from '../handlers/handler-registry.js';
export type { Reselect, RoutingConfig } from '../dispatch/dispatcher.js';
export type { Ref, Condition, BackoffPolicy } from '../pipeline/pipeline-types.js';
export type { ValidateOptions } from '../pipeline/validate-pipeline.js';
export type { StepStatus } from '../scheduler/run-types.js';
export type { CreateLoggerOptions } from '../logging/logger.js';
