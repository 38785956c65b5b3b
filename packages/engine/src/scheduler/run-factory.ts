/** The run scheduler's factory: builds each PipelineRun from the engine's services. */
import 'reflect-metadata';
import { inject, injectable, type DependencyContainer } from 'tsyringe';
import type { ResultCache } from '../contracts/cache.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { Executor } from '../executors/executor.js';
import type { HandlerRegistry } from '../handlers/handler-registry.js';
import type { HookRegistry } from '../hooks/hook-registry.js';
import type { Logger } from '../logging/logger.js';
import type { PipelineDefinition } from '../pipeline/pipeline-types.js';
import {
  EngineContainerToken,
  ExecutorToken,
  HandlerRegistryToken,
  HookRegistryToken,
  LoggerToken,
  RandomToken,
  ResultCacheToken,
  RouterToken,
  TelemetryToken,
} from '../tokens.js';
import type { Telemetry } from '../tracing/telemetry.js';
import { PipelineRun } from './pipeline-run.js';
import { RunJournalsToken } from './run-journal.js';
import type { RunOptions } from './run-types.js';

@injectable()
export class RunFactory {
  constructor(
    @inject(HandlerRegistryToken) private readonly handlers: HandlerRegistry,
    @inject(HookRegistryToken) private readonly hooks: HookRegistry,
    // The dispatcher is the engine's Router; runs use its routing side.
    @inject(RouterToken) private readonly dispatcher: Dispatcher,
    @inject(ExecutorToken) private readonly executor: Executor,
    @inject(TelemetryToken) private readonly telemetry: Telemetry,
    @inject(LoggerToken) private readonly logger: Logger,
    @inject(RandomToken) private readonly random: () => number,
    @inject(EngineContainerToken) private readonly container: DependencyContainer,
  ) {}

  /** A run of `pipeline` (already validated); `engineSignal` aborts it when the engine closes. */
  create(pipeline: PipelineDefinition, input: unknown, options: RunOptions | undefined, engineSignal: AbortSignal): PipelineRun {
    return new PipelineRun(
      {
        handlers: this.handlers,
        hooks: this.hooks,
        dispatcher: this.dispatcher,
        executor: this.executor,
        telemetry: this.telemetry,
        logger: this.logger,
        random: this.random,
        engineSignal,
        // Resolved per lookup: a plugin may set the cache while loading; absent, nothing is cached.
        cache: () => (this.container.isRegistered(ResultCacheToken, true) ? this.container.resolve<ResultCache>(ResultCacheToken) : undefined),
        // A runtime that keeps runs outside the process (the fleet) registers their journals.
        ...(this.container.isRegistered(RunJournalsToken, true) ? { journals: this.container.resolve(RunJournalsToken) } : {}),
      },
      pipeline,
      input,
      options,
    );
  }
}
