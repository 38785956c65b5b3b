/** createEngine: the container, the plugins, the runtime, and run()/close(). */
import 'reflect-metadata';
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { HandlerOptions, TaskHandler } from './contracts/handler.js';
import type { HookFn, HookName } from './contracts/hooks.js';
import type { WorkerView } from './contracts/worker.js';
import { parseEngineConfig } from './config/parse-engine-config.js';
import { DispatcherToken, registerServices } from './engine-services.js';
import { WeftError } from './errors.js';
import type { Executor } from './executors/executor.js';
import type { ExecutorDeps } from './executors/executor-deps.js';
import type { HandlerRegistry } from './handlers/handler-registry.js';
import type { Logger } from './logging/logger.js';
import { loadPipelineFile } from './pipeline/load-pipeline-file.js';
import type { PipelineDefinition } from './pipeline/pipeline-types.js';
import { validatePipeline, type ValidateOptions } from './pipeline/validate-pipeline.js';
import { PluginLoader, type LoadedPlugin } from './plugin/plugin-loader.js';
import type { PluginSpec } from './plugin/plugin-spec.js';
import { PluginStats } from './plugin/plugin-stats.js';
import type { RunOptions, RunResult } from './scheduler/run-types.js';
import { ExecutorToken, HandlerRegistryToken, HookRegistryToken, LoggerToken, RunFactoryToken, TelemetryToken } from './tokens.js';
import { recordHookMetrics } from './metrics/hook-metrics.js';
import { priorityOption } from './pipeline/queue-order.js';
import { DeadLetterStoreToken } from './dlq/dead-letter.js';
import { recordDeadLetters } from './dlq/dead-letter-recorder.js';

export type { ExecutorDeps } from './executors/executor-deps.js';

export interface CreateEngineOptions {
  /** Plugins, loaded in order after the configuration's own `plugins` list. */
  plugins?: readonly PluginSpec[];
  /** Engine configuration (workers, routing, seed, plugins by name); validated. */
  config?: unknown;
  /** Default: silent. The CLI passes a pino logger on stderr. */
  logger?: Logger;
  /** Default: the global provider (a no-op until tracing is started). */
  tracerProvider?: TracerProvider;
  /** Default: the global meter provider, as it is when the engine is created (start telemetry first). */
  meterProvider?: MeterProvider;
  /** Directory plugins named by package or relative path are resolved from. Default cwd. */
  baseDir?: string;
  /** Builds the runtime's executor. Default: the embedded MemoryExecutor. */
  executor?: (deps: ExecutorDeps) => Executor;
  /** `fleet` when the executor is the BullMQ one. Default `embedded`. */
  runtime?: 'embedded' | 'fleet';
  /** Redis URL handed to plugins in fleet mode. */
  redisUrl?: string;
  /**
   * Where the plugins' `reportStats` sections go: a fleet worker's (`weft worker` passes its own,
   * so the runs it drives report on its heartbeat). Default: the engine's own, published nowhere.
   */
  pluginStats?: PluginStats;
}

export interface Engine {
  readonly container: DependencyContainer;
  readonly plugins: readonly LoadedPlugin[];
  readonly handlers: HandlerRegistry;
  readonly executor: Executor;
  /** Runs a pipeline (a definition, or a path to a YAML/JSON file) and resolves with its result. */
  run(pipeline: PipelineDefinition | string, input?: unknown, options?: RunOptions): Promise<RunResult>;
  /**
   * Validates a pipeline (a definition, or a path to a YAML/JSON file) against this engine's
   * handlers, strategies (the config's `routing.strategy` too) and limits, without running it.
   */
  validate(pipeline: unknown): Promise<PipelineDefinition>;
  registerHandler<I, O>(type: string, fn: TaskHandler<I, O>, options?: HandlerOptions<I>): void;
  on<N extends HookName>(hook: N, fn: HookFn<N>): () => void;
  workers(): readonly WorkerView[];
  /** Cancels running pipelines, tears plugins down in reverse order, closes the executor. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function createEngine(options: CreateEngineOptions = {}): Promise<Engine> {
  const config = await parseEngineConfig(options.config);
  const services = registerServices(rootContainer.createChildContainer(), config, options);
  const container = services.container;
  // The loader works with the services as registered now; a plugin that provides one of the
  // engine's tokens replaces it for everything resolved after loading (the dispatcher, the runs).
  const handlers = container.resolve(HandlerRegistryToken);
  // An executor the application chose (the fleet's) is built first, as its runtime plugin expects,
  // and its configuration errors surface as themselves; a plugin may still provide another.
  if (options.executor) container.resolve(ExecutorToken);
  // Registered before any plugin's hooks: runs, routes and retries counted in the metrics.
  recordHookMetrics(container.resolve(HookRegistryToken), container.resolve(TelemetryToken).metrics, config.routing?.strategy);
  recordDeadLetters({
    hooks: container.resolve(HookRegistryToken),
    telemetry: container.resolve(TelemetryToken),
    logger: container.resolve(LoggerToken),
    store: () => container.resolve(DeadLetterStoreToken),
    retention: config.deadLetters,
  });
  const loader = new PluginLoader({
    container,
    handlers,
    hooks: container.resolve(HookRegistryToken),
    logger: container.resolve(LoggerToken),
    runtime: options.runtime ?? 'embedded',
    stats: options.pluginStats ?? new PluginStats(container.resolve(LoggerToken)),
    ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
    workers: () => container.resolve(ExecutorToken).workers(),
  });
  try {
    await loader.loadConfigured(config.plugins, options.plugins ?? [], options.baseDir ?? process.cwd());
  } catch (err) {
    await services.builtExecutor()?.close();
    throw err;
  }

  const executor = container.resolve(ExecutorToken);
  const dispatcher = container.resolve(DispatcherToken);
  const runs = container.resolve(RunFactoryToken);
  const hooks = container.resolve(HookRegistryToken);
  const engineAbort = new AbortController();
  const active = new Set<Promise<unknown>>();
  let closed = false;

  const checks = (): ValidateOptions => ({
    taskTypes: handlers.types(),
    strategies: dispatcher.strategyNames(),
    ...(config.routing?.strategy ? { routingStrategy: config.routing.strategy } : {}),
    ...(config.limits ? { limits: config.limits } : {}),
  });
  const validate = (pipeline: unknown): Promise<PipelineDefinition> =>
    typeof pipeline === 'string' ? loadPipelineFile(pipeline, checks()) : validatePipeline(pipeline, checks());
  // A definition run again is validated again only if it changed since (its JSON differs): the
  // schema check costs more than a run's first enqueue. Handlers and strategies are only ever
  // added, so a definition once valid stays valid.
  const validated = new WeakMap<object, { json: string; pipeline: PipelineDefinition }>();
  const validateForRun = async (raw: PipelineDefinition): Promise<PipelineDefinition> => {
    if (typeof raw !== 'object' || raw === null) return validate(raw);
    let json: string;
    try {
      json = JSON.stringify(raw);
    } catch {
      // A definition that contains itself or nests too deep: validation says where, with its code.
      return validate(raw);
    }
    const hit = validated.get(raw);
    if (hit?.json === json) return hit.pipeline;
    const pipeline = await validate(raw);
    validated.set(raw, { json, pipeline });
    return pipeline;
  };

  const engine: Engine = {
    container,
    plugins: loader.loaded,
    handlers,
    executor,
    validate,
    async run(pipelineOrFile, input, runOptions) {
      if (closed) throw new WeftError('WEFT_ENGINE_CLOSED', 'The engine is closed; create a new one to run pipelines.', { retryable: false });
      const pipeline = typeof pipelineOrFile === 'string' ? await loadPipelineFile(pipelineOrFile, checks()) : await validateForRun(pipelineOrFile);
      priorityOption(runOptions?.priority, 'RunOptions.priority');
      const p = runs.create(pipeline, input ?? {}, runOptions, engineAbort.signal).execute();
      active.add(p);
      try {
        return await p;
      } finally {
        active.delete(p);
      }
    },
    registerHandler: (type, fn, opts) => handlers.register(type, fn as TaskHandler, opts as HandlerOptions),
    on: (hook, fn) => hooks.on(hook, fn),
    workers: () => executor.workers(),
    async close() {
      if (closed) return;
      closed = true;
      engineAbort.abort();
      await Promise.allSettled([...active]);
      try {
        await loader.closeAll();
      } finally {
        await executor.close();
      }
    },
    [Symbol.asyncDispose]() {
      return engine.close();
    },
  };
  return engine;
}
