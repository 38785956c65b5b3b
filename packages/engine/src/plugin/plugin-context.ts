/**
 * What a plugin's setup() sees: a child container of its own for private services, and
 * explicit methods for what it shares with the engine (as fastify's decorate).
 */
import type { DependencyContainer, InjectionToken } from 'tsyringe';
import type { Embedder, ResultCache } from '../contracts/cache.js';
import type { HandlerOptions, TaskHandler } from '../contracts/handler.js';
import type { HookFn, HookName } from '../contracts/hooks.js';
import type { LanguageBridge } from '../contracts/language-bridge.js';
import type { BalancingStrategy, Predictor, WorkerGuard } from '../contracts/routing.js';
import type { WorkerView } from '../contracts/worker.js';
import type { Logger } from '../logging/logger.js';
import type { Teardown } from './define-plugin.js';

export interface PluginContext<C = unknown> {
  readonly name: string;
  /** The validated configuration. */
  readonly config: C;
  readonly engineVersion: string;
  readonly logger: Logger;
  /** The plugin's own child container: register private services here. */
  readonly container: DependencyContainer;
  /** `embedded` or `fleet`: where tasks run. */
  readonly runtime: 'embedded' | 'fleet';
  /** Redis URL in fleet mode, for plugins with a shared tier (never log it). */
  readonly redisUrl?: string;

  registerHandler<I, O>(type: string, fn: TaskHandler<I, O>, options?: HandlerOptions<I>): void;
  registerStrategy(strategy: BalancingStrategy): void;
  registerGuard(guard: WorkerGuard): void;
  /** Replaces the engine's predictor (at most one is consulted). */
  setPredictor(predictor: Predictor): void;
  /** Sets the result cache (none by default: without one the engine neither looks up nor stores). */
  setResultCache(cache: ResultCache): void;
  setEmbedder(embedder: Embedder): void;
  setLanguageBridge(bridge: LanguageBridge): void;
  on<N extends HookName>(hook: N, fn: HookFn<N>): void;
  /** Shares a service on the engine container, for other plugins to resolve. */
  provide<T>(token: InjectionToken<T>, value: T): void;
  /** Resolves a service from the engine container (another plugin's, or an extension point). */
  resolve<T>(token: InjectionToken<T>): T;
  tryResolve<T>(token: InjectionToken<T>): T | undefined;
  /** Live workers' views, for plugins that keep per-worker state. */
  workers(): readonly WorkerView[];
  /**
   * Reports a small JSON section about the plugin on its process's fleet heartbeat, where dashboards
   * read it (`kind` `cache`: see CacheStatsReport). `report` runs on each heartbeat (about once a
   * second): keep it cheap, plain JSON, at most 2 KB, with no secrets. Embedded engines have no
   * heartbeat: nothing is published.
   */
  reportStats(kind: string, report: () => Readonly<Record<string, unknown>>): void;
  /** Registers a teardown, run in reverse order on engine close. */
  onClose(fn: Teardown): void;
}
