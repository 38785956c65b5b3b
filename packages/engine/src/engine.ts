/** createEngine: the container, the plugins, the runtime, and run()/close(). */
import 'reflect-metadata';
import type { TracerProvider } from '@opentelemetry/api';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { ResultCache } from './contracts/cache.js';
import type { HandlerOptions, TaskHandler } from './contracts/handler.js';
import type { HookFn, HookName } from './contracts/hooks.js';
import type { TaskDescriptor } from './contracts/task.js';
import type { WorkerView } from './contracts/worker.js';
import type { EngineConfig } from './config/engine-config.js';
import { parseEngineConfig } from './config/parse-engine-config.js';
import { NoopResultCache } from './defaults/noop-cache.js';
import { Dispatcher, type Reselect } from './dispatch/dispatcher.js';
import { WeftError } from './errors.js';
import type { Executor } from './executors/executor.js';
import { MemoryExecutor } from './executors/memory-executor.js';
import { HandlerRegistry } from './handlers/handler-registry.js';
import { HookRegistry } from './hooks/hook-registry.js';
import { silentLogger, type Logger } from './logging/logger.js';
import { loadPipelineFile } from './pipeline/load-pipeline-file.js';
import type { PipelineDefinition } from './pipeline/pipeline-types.js';
import { validatePipeline } from './pipeline/validate-pipeline.js';
import { PluginLoader, type LoadedPlugin } from './plugin/plugin-loader.js';
import type { PluginSpec } from './plugin/plugin-spec.js';
import { PipelineRun } from './scheduler/pipeline-run.js';
import { RunJournalsToken } from './scheduler/run-journal.js';
import type { RunOptions, RunResult } from './scheduler/run-types.js';
import { EngineConfigToken, LoggerToken, ResultCacheToken, TracerToken } from './tokens.js';
import { Telemetry } from './tracing/telemetry.js';
import { seededRandom } from './util/random.js';

/** What a runtime needs from the engine to build its executor. */
export interface ExecutorDeps {
  readonly handlers: HandlerRegistry;
  readonly telemetry: Telemetry;
  readonly logger: Logger;
  readonly config: EngineConfig;
  /**
   * Picks a new worker for a task whose worker was lost (a fleet re-route): the configured guards
   * and the task's balancing strategy, as for its first route, without the predictor or hooks.
   */
  readonly reselect?: Reselect;
  /** Tells the guards that a re-route moved a task from one worker to another, or to a pool queue (`to` undefined). */
  readonly moved?: (task: TaskDescriptor, from: string, to: string | undefined) => void;
}

export interface CreateEngineOptions {
  /** Plugins, loaded in order after the configuration's own `plugins` list. */
  plugins?: readonly PluginSpec[];
  /** Engine configuration (workers, routing, seed, plugins by name); validated. */
  config?: unknown;
  /** Default: silent. The CLI passes a pino logger on stderr. */
  logger?: Logger;
  /** Default: the global provider (a no-op until tracing is started). */
  tracerProvider?: TracerProvider;
  /** Directory plugins named by package or relative path are resolved from. Default cwd. */
  baseDir?: string;
  /** Builds the runtime's executor. Default: the embedded MemoryExecutor. */
  executor?: (deps: ExecutorDeps) => Executor;
  /** `fleet` when the executor is the BullMQ one. Default `embedded`. */
  runtime?: 'embedded' | 'fleet';
  /** Redis URL handed to plugins in fleet mode. */
  redisUrl?: string;
}

export interface Engine {
  readonly container: DependencyContainer;
  readonly plugins: readonly LoadedPlugin[];
  readonly handlers: HandlerRegistry;
  readonly executor: Executor;
  /** Runs a pipeline (a definition, or a path to a YAML/JSON file) and resolves with its result. */
  run(pipeline: PipelineDefinition | string, input?: unknown, options?: RunOptions): Promise<RunResult>;
  /** Validates a pipeline against this engine's handlers and strategies without running it. */
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
  const logger = options.logger ?? silentLogger();
  const telemetry = new Telemetry(options.tracerProvider);
  const container = rootContainer.createChildContainer();
  const handlers = new HandlerRegistry();
  const hooks = new HookRegistry();
  const random = seededRandom(config.seed ?? 1);
  // Bound late: the dispatcher needs the executor, and re-routes happen only once runs start.
  const late: { dispatcher?: Dispatcher } = {};
  const reselect: Reselect = (task, views) => {
    if (!late.dispatcher) throw new WeftError('WEFT_ENGINE_CLOSED', 'The engine is not ready to route.', { retryable: false });
    return late.dispatcher.reselect(task, views);
  };
  const moved = (task: TaskDescriptor, from: string, to: string | undefined): void => late.dispatcher?.moved(task, from, to);
  const executor = options.executor
    ? options.executor({ handlers, telemetry, logger, config, reselect, moved })
    : new MemoryExecutor(config.workers ?? [{ id: 'local', capabilities: ['*'], concurrency: 8 }], { handlers, telemetry, logger });

  container.register(LoggerToken, { useValue: logger });
  container.register(TracerToken, { useValue: telemetry.tracer });
  container.register(EngineConfigToken, { useValue: config });
  container.register(ResultCacheToken, { useValue: new NoopResultCache() });

  const loader = new PluginLoader({
    container,
    handlers,
    hooks,
    logger,
    runtime: options.runtime ?? 'embedded',
    ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
    workers: () => executor.workers(),
  });
  const baseDir = options.baseDir ?? process.cwd();
  try {
    await loader.loadConfigured(config.plugins, options.plugins ?? [], baseDir);
  } catch (err) {
    await executor.close();
    throw err;
  }

  const dispatcher = new Dispatcher(container, executor, hooks, telemetry, logger, config.routing ?? {}, random);
  late.dispatcher = dispatcher;
  const engineAbort = new AbortController();
  const active = new Set<Promise<unknown>>();
  let closed = false;

  const validate = (pipeline: unknown): Promise<PipelineDefinition> =>
    validatePipeline(pipeline, { taskTypes: handlers.types(), strategies: dispatcher.strategyNames() });
  // A definition run again is validated again only if it changed since (its JSON differs): the
  // schema check costs more than a run's first enqueue. Handlers and strategies are only ever
  // added, so a definition once valid stays valid.
  const validated = new WeakMap<object, { json: string; pipeline: PipelineDefinition }>();
  const validateForRun = async (raw: PipelineDefinition): Promise<PipelineDefinition> => {
    if (typeof raw !== 'object' || raw === null) return validate(raw);
    const json = JSON.stringify(raw);
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
      const pipeline =
        typeof pipelineOrFile === 'string'
          ? await loadPipelineFile(pipelineOrFile, { taskTypes: handlers.types(), strategies: dispatcher.strategyNames() })
          : await validateForRun(pipelineOrFile);
      const run = new PipelineRun(
        {
          handlers,
          hooks,
          dispatcher,
          executor,
          telemetry,
          logger,
          random,
          engineSignal: engineAbort.signal,
          // The default no-op cache is no cache: nothing to look up or store.
          cache: () => {
            const cache = container.resolve<ResultCache>(ResultCacheToken);
            return cache instanceof NoopResultCache ? undefined : cache;
          },
          ...(container.isRegistered(RunJournalsToken, true) ? { journals: container.resolve(RunJournalsToken) } : {}),
        },
        pipeline,
        input ?? {},
        runOptions,
      );
      const p = run.execute();
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
