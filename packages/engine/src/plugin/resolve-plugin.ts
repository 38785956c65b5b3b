/** Imports a plugin named by configuration: a package name or a path relative to `baseDir`. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WeftError, errorMessage } from '../errors.js';
import { isPlugin, type Plugin } from './define-plugin.js';
import { installedPackages } from './installed-packages.js';
import { suggest } from '../util/suggest.js';

export async function importPlugin(specifier: string, baseDir: string): Promise<Plugin<unknown>> {
  const isPath = specifier.startsWith('.') || path.isAbsolute(specifier);
  let resolved: string;
  try {
    resolved = isPath ? path.resolve(baseDir, specifier) : createRequire(path.join(baseDir, 'package.json')).resolve(specifier);
  } catch (cause) {
    // `dir/plugin.mjs` reads as a package name; when such a file exists, say how to name it.
    const asFile = path.resolve(baseDir, specifier);
    if (!isPath && existsSync(asFile)) {
      throw new WeftError(
        'WEFT_PLUGIN_NOT_FOUND',
        `Plugin "${specifier}" is read as a package name, and no such package is installed, but the file ${asFile} exists: write it as a path, "./${specifier}".`,
        {
          cause,
          retryable: false,
          details: { plugin: specifier, baseDir },
        },
      );
    }
    throw new WeftError(
      'WEFT_PLUGIN_NOT_FOUND',
      `Plugin "${specifier}" is not installed where Weft looked (${baseDir})${suggest(specifier, installedPackages(baseDir))}. Install it (pnpm add ${specifier}) or fix the name in the plugins list.`,
      { cause, retryable: false, details: { plugin: specifier, baseDir } },
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && isPath && errorMessage(cause).includes(resolved)) {
      throw new WeftError('WEFT_PLUGIN_NOT_FOUND', `Plugin file "${specifier}" does not exist (looked at ${resolved}). Fix the path in the plugins list.`, {
        cause,
        retryable: false,
        details: { plugin: specifier },
      });
    }
    throw new WeftError('WEFT_PLUGIN_INVALID', `Plugin "${specifier}" failed to import: ${errorMessage(cause)}. Fix the plugin module or its dependencies.`, {
      cause,
      retryable: false,
      details: { plugin: specifier },
    });
  }
  const candidate = mod['default'] ?? mod['plugin'];
  if (!isPlugin(candidate)) {
    throw new WeftError(
      'WEFT_PLUGIN_INVALID',
      `Module "${specifier}" has no plugin as its default export. Export default definePlugin({ name, version, engine, setup }).`,
      { retryable: false, details: { plugin: specifier } },
    );
  }
  return candidate;
}
