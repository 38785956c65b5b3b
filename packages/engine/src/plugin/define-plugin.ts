import type { StandardSchemaV1 } from '../contracts/standard-schema.js';
import type { PluginContext } from './plugin-context.js';

const PLUGIN_BRAND = Symbol.for('weft.plugin');

export type Teardown = () => void | Promise<void>;

export interface PluginDefinition<C = unknown> {
  /** Unique name, usually the npm package name. */
  readonly name: string;
  /** The plugin's own semver version. */
  readonly version: string;
  /** Semver range of @weft/engine versions the plugin supports (`^0.1.0`). */
  readonly engine: string;
  /** Validates the plugin's configuration; its output is what `setup` receives as `ctx.config`. */
  readonly configSchema?: StandardSchemaV1<unknown, C>;
  /** Registers handlers, strategies, hooks and services; may return a teardown run on close(). */
  setup(ctx: PluginContext<C>): void | Teardown | Promise<void | Teardown>;
}

export interface Plugin<C = unknown> extends PluginDefinition<C> {
  readonly [PLUGIN_BRAND]: true;
}

/** Declares a plugin; the default export of a plugin package. */
export function definePlugin<C = unknown>(definition: PluginDefinition<C>): Plugin<C> {
  return Object.freeze({ ...definition, [PLUGIN_BRAND]: true as const });
}

export function isPlugin(value: unknown): value is Plugin<unknown> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}
