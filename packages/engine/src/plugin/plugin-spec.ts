import type { Plugin } from './define-plugin.js';

/**
 * How configuration names a plugin: the plugin object itself, an npm package name (or a path
 * relative to the config file) to import, or either with its configuration.
 */
export type PluginSpec = Plugin<any> | string | { plugin: Plugin<any> | string; config?: unknown }; // eslint-disable-line @typescript-eslint/no-explicit-any
