/**
 * DI tokens of the engine's extension points, under the names the engine uses inside. The
 * public names (BalancingStrategy, Predictor…) are both the interface and its token.
 * Symbol.for so that two copies of the engine in one process still agree on them.
 */
import type { MeterProvider, Tracer, TracerProvider } from '@opentelemetry/api';
import type { DependencyContainer, InjectionToken } from 'tsyringe';
import type { EngineConfig } from './config/engine-config.js';
import type { RoutingConfig } from './dispatch/dispatcher.js';
import type { Executor } from './executors/executor.js';
import type { ExecutorDeps, Router } from './executors/executor-deps.js';
import type { EmbeddedWorkerOptions } from './executors/memory-executor.js';
import type { HandlerRegistry } from './handlers/handler-registry.js';
import type { HookRegistry } from './hooks/hook-registry.js';
import type { Logger } from './logging/logger.js';
import type { RunFactory } from './scheduler/run-factory.js';
import type { Telemetry } from './tracing/telemetry.js';

export { ResultCache as ResultCacheToken, Embedder as EmbedderToken } from './contracts/cache.js';
export { LanguageBridge as LanguageBridgeToken } from './contracts/language-bridge.js';
export { BalancingStrategy as BalancingStrategyToken, Predictor as PredictorToken, WorkerGuard as WorkerGuardToken } from './contracts/routing.js';

export const LoggerToken: InjectionToken<Logger> = Symbol.for('weft.Logger');
/** The engine's OpenTelemetry tracer, for plugins that write spans of their own (breaker transitions). */
export const TracerToken: InjectionToken<Tracer> = Symbol.for('weft.Tracer');
/** The engine's OpenTelemetry meter provider, for plugins that record metrics of their own (breaker states). */
export const MeterProviderToken: InjectionToken<MeterProvider> = Symbol.for('weft.MeterProvider');
export const EngineConfigToken: InjectionToken<EngineConfig> = Symbol.for('weft.EngineConfig');

// The engine's own services. createEngine registers a default for each in the engine's child
// container before plugins load; a plugin that `provide`s one of these tokens replaces the default
// (see docs/extension-points.md). Each service takes its collaborators as @inject(Token) parameters.

/** Where tasks run: the embedded MemoryExecutor by default, the FleetExecutor with `weft run --fleet`. */
export const ExecutorToken: InjectionToken<Executor> = Symbol.for('weft.Executor');
/** What an executor is built from; resolve it to build an executor of your own. */
export const ExecutorDepsToken: InjectionToken<ExecutorDeps> = Symbol.for('weft.ExecutorDeps');
/** The routing layer as executors see it (re-routes); the Dispatcher implements it. */
export const RouterToken: InjectionToken<Router> = Symbol.for('weft.Router');
export const HandlerRegistryToken: InjectionToken<HandlerRegistry> = Symbol.for('weft.HandlerRegistry');
export const HookRegistryToken: InjectionToken<HookRegistry> = Symbol.for('weft.HookRegistry');
export const TelemetryToken: InjectionToken<Telemetry> = Symbol.for('weft.Telemetry');
export const TracerProviderToken: InjectionToken<TracerProvider> = Symbol.for('weft.TracerProvider');
/** Builds each pipeline run (the run scheduler) from the engine's services. */
export const RunFactoryToken: InjectionToken<RunFactory> = Symbol.for('weft.RunFactory');
/** The engine's seeded random source (routing tie-breaks, retry jitter). */
export const RandomToken: InjectionToken<() => number> = Symbol.for('weft.Random');
export const RoutingConfigToken: InjectionToken<RoutingConfig> = Symbol.for('weft.RoutingConfig');
/** The embedded runtime's worker slots (the config's `workers`, or one local slot). */
export const EmbeddedWorkersToken: InjectionToken<readonly EmbeddedWorkerOptions[]> = Symbol.for('weft.EmbeddedWorkers');
/** The engine's child container itself, for services that read extension points by token. */
export const EngineContainerToken: InjectionToken<DependencyContainer> = Symbol.for('weft.EngineContainer');
