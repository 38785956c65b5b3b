/** Finds and reads the engine configuration file (`weft.config.yaml|yml|json`), data only. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseYamlData } from '../pipeline/load-pipeline-file.js';
import { WeftError, errorMessage } from '../errors.js';

export const CONFIG_NAMES = ['weft.config.yaml', 'weft.config.yml', 'weft.config.json'];

export interface LoadedConfig {
  readonly config: Record<string, unknown>;
  /** Directory relative plugin paths resolve from. */
  readonly baseDir: string;
  readonly file?: string;
  /** Where a config file was looked for, when none was given or found. */
  readonly searched?: readonly string[];
}

export async function loadConfigFile(explicit: string | undefined, cwd = process.cwd()): Promise<LoadedConfig> {
  const file = explicit ? path.resolve(cwd, explicit) : CONFIG_NAMES.map((n) => path.join(cwd, n)).find((f) => existsSync(f));
  if (!file) return { config: {}, baseDir: cwd, searched: CONFIG_NAMES.map((n) => path.join(cwd, n)) };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new WeftError('WEFT_CONFIG_INVALID', `Cannot read config file ${file}: ${errorMessage(cause)}. Check the --config path.`, {
      cause,
      retryable: false,
    });
  }
  let config: unknown;
  try {
    config = file.endsWith('.json') ? JSON.parse(text) : parseYamlData(text);
  } catch (cause) {
    throw new WeftError('WEFT_CONFIG_INVALID', `Config file ${file} does not parse: ${errorMessage(cause)}.`, { cause, retryable: false });
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new WeftError('WEFT_CONFIG_INVALID', `Config file ${file} must hold an object (plugins, workers, routing, seed).`, { retryable: false });
  }
  return { config: config as Record<string, unknown>, baseDir: path.dirname(file), file };
}

/** `--plugins a,b` adds to the config's plugin list. */
export function withPlugins(config: Record<string, unknown>, plugins: string | undefined): Record<string, unknown> {
  if (!plugins) return config;
  const extra = plugins
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const list = Array.isArray(config['plugins']) ? (config['plugins'] as unknown[]) : [];
  return { ...config, plugins: [...list, ...extra] };
}

/**
 * With no config file found and no plugins named, no task type can be known: say so once, with
 * where the config was looked for, instead of one "no handler" line per step.
 */
export function assertSomethingLoaded(loaded: LoadedConfig, taskTypes: readonly string[]): void {
  if (loaded.file || taskTypes.length > 0) return;
  const where = loaded.searched ?? CONFIG_NAMES;
  throw new WeftError(
    'WEFT_CONFIG_NOT_FOUND',
    `No engine config was found (looked for ${where.join(', ')}) and no plugins were named, so no task type is registered. Run from the directory that holds weft.config.yaml, pass --config <file>, or name plugins with --plugins.`,
    {
      retryable: false,
      details: { searched: where },
    },
  );
}
