/** Loads plugins in order: import, engine-range check, config validation, setup; teardown in reverse. */
import semver from 'semver';
import type { DependencyContainer, InjectionToken } from 'tsyringe';
import { WeftError, errorMessage } from '../errors.js';
import type { HandlerRegistry } from '../handlers/handler-registry.js';
import type { HookRegistry } from '../hooks/hook-registry.js';
import type { Logger } from '../logging/logger.js';
import { BalancingStrategyToken, EmbedderToken, LanguageBridgeToken, PredictorToken, ResultCacheToken, WorkerGuardToken } from '../tokens.js';
import { ENGINE_VERSION } from '../version.js';
import { validateWith } from '../util/schema.js';
import type { WorkerView } from '../contracts/worker.js';
import type { EngineConfig } from '../config/engine-config.js';
import { isPlugin, type Plugin, type Teardown } from './define-plugin.js';
import type { PluginContext } from './plugin-context.js';
import type { PluginSpec } from './plugin-spec.js';
import type { PluginStats } from './plugin-stats.js';
import { importPlugin } from './resolve-plugin.js';

export interface LoaderHost {
  readonly container: DependencyContainer;
  readonly handlers: HandlerRegistry;
  readonly hooks: HookRegistry;
  readonly logger: Logger;
  readonly runtime: 'embedded' | 'fleet';
  readonly redisUrl?: string;
  /** Where `ctx.reportStats` sections go (a fleet worker publishes them on its heartbeat). */
  readonly stats: PluginStats;
  workers(): readonly WorkerView[];
}

export interface LoadedPlugin {
  readonly name: string;
  readonly version: string;
}

export class PluginLoader {
  private readonly teardowns: { plugin: string; fn: Teardown }[] = [];
  readonly loaded: LoadedPlugin[] = [];

  constructor(private readonly host: LoaderHost) {}

  async loadAll(specs: readonly PluginSpec[], baseDir: string): Promise<void> {
    for (const spec of specs) await this.load(spec, baseDir);
  }

  /**
   * The configuration's plugins, then `extra`; on a failure, tears down those already set up (so
   * they leak nothing) and rethrows.
   */
  async loadConfigured(configured: EngineConfig['plugins'], extra: readonly PluginSpec[], baseDir: string): Promise<void> {
    try {
      await this.loadAll(
        (configured ?? []).map((p) => (typeof p === 'string' ? p : { plugin: p.name, config: p.config })),
        baseDir,
      );
      await this.loadAll(extra, baseDir);
    } catch (err) {
      await this.closeAll().catch(() => {});
      throw err;
    }
  }

  async load(spec: PluginSpec, baseDir: string): Promise<void> {
    const { ref, config } =
      typeof spec === 'object' && 'plugin' in spec && !isPlugin(spec) ? { ref: spec.plugin, config: spec.config } : { ref: spec, config: undefined };
    const plugin = typeof ref === 'string' ? await importPlugin(ref, baseDir) : ref;
    if (!isPlugin(plugin)) {
      throw new WeftError('WEFT_PLUGIN_INVALID', 'A plugins entry is not a plugin. Wrap it with definePlugin({ name, version, engine, setup }).', {
        retryable: false,
      });
    }
    const name = plugin.name;
    if (this.loaded.some((p) => p.name === name)) {
      throw new WeftError('WEFT_PLUGIN_DUPLICATE', `Plugin "${name}" is listed twice. Remove one of the entries from the plugins list.`, {
        retryable: false,
        details: { plugin: name },
      });
    }
    this.checkEngineRange(plugin);
    const validConfig = await this.validateConfig(plugin, config);
    const ctx = this.contextFor(plugin, validConfig);
    try {
      const teardown = await plugin.setup(ctx);
      if (typeof teardown === 'function') this.teardowns.push({ plugin: name, fn: teardown });
    } catch (cause) {
      throw new WeftError(
        'WEFT_PLUGIN_SETUP_FAILED',
        `Plugin "${name}" failed in setup(): ${errorMessage(cause)}. Fix its configuration or report it to the plugin's authors.`,
        {
          cause,
          retryable: false,
          details: { plugin: name },
        },
      );
    }
    this.loaded.push({ name, version: plugin.version });
    this.host.logger.debug({ plugin: name, version: plugin.version }, 'plugin loaded');
  }

  /** Runs every teardown in reverse load order; collects failures instead of stopping at one. */
  async closeAll(): Promise<void> {
    const failures: { plugin: string; error: unknown }[] = [];
    while (this.teardowns.length > 0) {
      const { plugin, fn } = this.teardowns.pop()!;
      try {
        await fn();
      } catch (error) {
        failures.push({ plugin, error });
        this.host.logger.error({ plugin, err: error }, 'plugin teardown failed');
      }
    }
    if (failures.length > 0) {
      throw new WeftError(
        'WEFT_PLUGIN_TEARDOWN_FAILED',
        `Teardown failed for ${failures.map((f) => `"${f.plugin}" (${errorMessage(f.error)})`).join(', ')}; the others were closed.`,
        { cause: failures[0]?.error, details: { plugins: failures.map((f) => f.plugin) } },
      );
    }
  }

  private checkEngineRange(plugin: Plugin<unknown>): void {
    if (!semver.validRange(plugin.engine)) {
      throw new WeftError(
        'WEFT_PLUGIN_INCOMPATIBLE',
        `Plugin "${plugin.name}" declares engine range "${plugin.engine}", which is not a semver range. Use a range such as "^${ENGINE_VERSION}".`,
        {
          retryable: false,
          details: { plugin: plugin.name, range: plugin.engine },
        },
      );
    }
    if (!semver.satisfies(ENGINE_VERSION, plugin.engine, { includePrerelease: true })) {
      throw new WeftError(
        'WEFT_PLUGIN_INCOMPATIBLE',
        `Plugin "${plugin.name}"@${plugin.version} requires @weft/engine ${plugin.engine}, but this engine is ${ENGINE_VERSION}. Install a release of "${plugin.name}" built for engine ${ENGINE_VERSION}, or an engine in ${plugin.engine}.`,
        { retryable: false, details: { plugin: plugin.name, range: plugin.engine, engine: ENGINE_VERSION } },
      );
    }
  }

  private async validateConfig(plugin: Plugin<unknown>, config: unknown): Promise<unknown> {
    if (!plugin.configSchema) return config;
    const result = await validateWith(plugin.configSchema, config ?? {});
    if (!result.ok) {
      throw new WeftError(
        'WEFT_PLUGIN_CONFIG_INVALID',
        `Plugin "${plugin.name}" has invalid config: ${result.issues.join('; ')}. Fix these fields in its config entry.`,
        { retryable: false, details: { plugin: plugin.name, issues: result.issues } },
      );
    }
    return result.value;
  }

  private contextFor(plugin: Plugin<unknown>, config: unknown): PluginContext<unknown> {
    const host = this.host;
    const name = plugin.name;
    const c = host.container;
    const logger = host.logger.child({ plugin: name });
    const teardowns = this.teardowns;
    const setValue = <T>(token: InjectionToken<T>, value: T): void => {
      c.register(token, { useValue: value });
    };
    return {
      name,
      config,
      engineVersion: ENGINE_VERSION,
      logger,
      container: c.createChildContainer(),
      runtime: host.runtime,
      ...(host.redisUrl === undefined ? {} : { redisUrl: host.redisUrl }),
      registerHandler: (type, fn, options) => host.handlers.register(type, fn as never, options as never, name),
      registerStrategy: (s) => setValue(BalancingStrategyToken, s),
      registerGuard: (g) => setValue(WorkerGuardToken, g),
      setPredictor: (p) => setValue(PredictorToken, p),
      setResultCache: (rc) => setValue(ResultCacheToken, rc),
      setEmbedder: (e) => setValue(EmbedderToken, e),
      setLanguageBridge: (b) => setValue(LanguageBridgeToken, b),
      on: (hook, fn) => {
        host.hooks.on(hook, fn, name);
      },
      provide: setValue,
      resolve: (token) => c.resolve(token),
      tryResolve: (token) => (c.isRegistered(token, true) ? c.resolve(token) : undefined),
      workers: () => host.workers(),
      reportStats: (kind, report) => {
        teardowns.push({ plugin: name, fn: host.stats.add(name, kind, report) });
      },
      onClose: (fn) => {
        teardowns.push({ plugin: name, fn });
      },
    };
  }
}
