/**
 * What a `weft worker` needs of the engine: the configured plugins loaded, their handlers (and the
 * services they provide, e.g. a LanguageBridge) at hand, and their teardown. No executor, no
 * dispatcher, no scheduler.
 */
import 'reflect-metadata';
import { metrics, trace } from '@opentelemetry/api';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { parseEngineConfig } from '../config/parse-engine-config.js';
import type { EngineConfig } from '../config/engine-config.js';
import { HandlerRegistry } from '../handlers/handler-registry.js';
import { HookRegistry } from '../hooks/hook-registry.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { EngineConfigToken, LoggerToken, MeterProviderToken, TracerToken } from '../tokens.js';
import { ENGINE_VERSION } from '../version.js';
import { PluginLoader, type LoadedPlugin } from './plugin-loader.js';
import type { PluginSpec } from './plugin-spec.js';
import { PluginStats } from './plugin-stats.js';

export interface PluginHostOptions {
  /** Engine configuration; only its `plugins` list is used here. */
  readonly config?: unknown;
  /** Plugins loaded after the configuration's own. */
  readonly plugins?: readonly PluginSpec[];
  readonly baseDir?: string;
  readonly logger?: Logger;
  readonly redisUrl?: string;
}

export interface PluginHost {
  readonly container: DependencyContainer;
  readonly handlers: HandlerRegistry;
  readonly plugins: readonly LoadedPlugin[];
  readonly config: EngineConfig;
  /** The plugins' `reportStats` sections, for the worker's heartbeat. */
  readonly stats: PluginStats;
  /** Tears the plugins down in reverse order. */
  close(): Promise<void>;
}

export async function loadPluginHost(options: PluginHostOptions = {}): Promise<PluginHost> {
  const config = await parseEngineConfig(options.config);
  const logger = options.logger ?? silentLogger();
  const container = rootContainer.createChildContainer();
  container.register(LoggerToken, { useValue: logger });
  container.register(EngineConfigToken, { useValue: config });
  // The process's global providers (NodeSDK's, once `weft worker` started it), as createEngine gives.
  container.register(TracerToken, { useValue: trace.getTracer('@weft/engine', ENGINE_VERSION) });
  container.register(MeterProviderToken, { useValue: metrics.getMeterProvider() });
  const handlers = new HandlerRegistry();
  const stats = new PluginStats(logger);
  const loader = new PluginLoader({
    container,
    handlers,
    // Plugins may register hooks; a worker runs no scheduler, so none of them fires here.
    hooks: new HookRegistry(),
    logger,
    runtime: 'fleet',
    stats,
    ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
    workers: () => [],
  });
  await loader.loadConfigured(config.plugins, options.plugins ?? [], options.baseDir ?? process.cwd());
  return { container, handlers, plugins: loader.loaded, config, stats, close: () => loader.closeAll() };
}
