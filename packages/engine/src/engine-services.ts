/**
 * The engine's services, registered in its child container before plugins load. Each is a class
 * with @inject(Token) constructor parameters, or a value from the options; a plugin that
 * `provide`s one of these tokens replaces the default (docs/extension-points.md).
 */
import 'reflect-metadata';
import { metrics, trace } from '@opentelemetry/api';
import { instanceCachingFactory, type DependencyContainer, type InjectionToken } from 'tsyringe';
import type { EngineConfig } from './config/engine-config.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { DeadLetterStoreToken } from './dlq/dead-letter.js';
import { MemoryDeadLetters } from './dlq/memory-dead-letters.js';
import type { Executor } from './executors/executor.js';
import type { ExecutorDeps } from './executors/executor-deps.js';
import { MemoryExecutor } from './executors/memory-executor.js';
import { HandlerRegistry } from './handlers/handler-registry.js';
import { HookRegistry } from './hooks/hook-registry.js';
import { silentLogger } from './logging/logger.js';
import { RunFactory } from './scheduler/run-factory.js';
import {
  EmbeddedWorkersToken,
  EngineConfigToken,
  EngineContainerToken,
  ExecutorDepsToken,
  ExecutorToken,
  HandlerRegistryToken,
  HookRegistryToken,
  LoggerToken,
  MeterProviderToken,
  RandomToken,
  RouterToken,
  RoutingConfigToken,
  RunFactoryToken,
  TelemetryToken,
  TracerProviderToken,
  TracerToken,
} from './tokens.js';
import { Telemetry } from './tracing/telemetry.js';
import { seededRandom } from './util/random.js';
import type { CreateEngineOptions } from './engine.js';

/** The dispatcher: routes tasks onto the executor's workers. Its Router side is RouterToken. */
export const DispatcherToken: InjectionToken<Dispatcher> = Symbol.for('weft.Dispatcher');

export interface EngineServices {
  readonly container: DependencyContainer;
  /** The executor, if anything resolved it yet (a failed plugin load closes it only then). */
  builtExecutor(): Executor | undefined;
}

export function registerServices(container: DependencyContainer, config: EngineConfig, options: CreateEngineOptions): EngineServices {
  let executor: Executor | undefined;
  container.register(EngineContainerToken, { useValue: container });
  container.register(EngineConfigToken, { useValue: config });
  container.register(LoggerToken, { useValue: options.logger ?? silentLogger() });
  container.register(TracerProviderToken, { useValue: options.tracerProvider ?? trace.getTracerProvider() });
  container.register(MeterProviderToken, { useValue: options.meterProvider ?? metrics.getMeterProvider() });
  container.register(RandomToken, { useValue: seededRandom(config.seed) });
  container.register(RoutingConfigToken, { useValue: config.routing });
  container.register(EmbeddedWorkersToken, { useValue: config.workers });
  container.registerSingleton(TelemetryToken, Telemetry);
  container.register(TracerToken, { useFactory: instanceCachingFactory((c) => c.resolve(TelemetryToken).tracer) });
  container.registerSingleton(HandlerRegistryToken, HandlerRegistry);
  container.registerSingleton(HookRegistryToken, HookRegistry);
  // No ResultCache by default: runs ask the container and skip caching when none is registered.
  container.registerSingleton(DispatcherToken, Dispatcher);
  container.register(RouterToken, { useToken: DispatcherToken });
  container.registerSingleton(RunFactoryToken, RunFactory);
  // Embedded dead letters live in the process; the fleet's plugin provides its Redis store instead.
  container.register(DeadLetterStoreToken, { useValue: new MemoryDeadLetters(config.deadLetters) });
  container.register(ExecutorDepsToken, { useFactory: instanceCachingFactory((c) => executorDeps(c)) });
  const build = options.executor;
  container.register(ExecutorToken, {
    useFactory: instanceCachingFactory((c) => (executor = build ? build(c.resolve(ExecutorDepsToken)) : c.resolve(MemoryExecutor))),
  });
  return { container, builtExecutor: () => executor };
}

/**
 * An executor is built before the dispatcher, which routes onto the executor's workers: its
 * re-routes reach the Router through the container at the time they happen, not at construction.
 */
function executorDeps(c: DependencyContainer): ExecutorDeps {
  return {
    handlers: c.resolve(HandlerRegistryToken),
    telemetry: c.resolve(TelemetryToken),
    logger: c.resolve(LoggerToken),
    config: c.resolve(EngineConfigToken),
    reselect: (task, views) => c.resolve(RouterToken).reselect(task, views),
    moved: (task, from, to) => c.resolve(RouterToken).moved(task, from, to),
  };
}
