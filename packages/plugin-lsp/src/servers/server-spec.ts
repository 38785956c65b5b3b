/**
 * The server registry: built-in specs for typescript-language-server and pyright, resolved from
 * this package's own dependencies (never from PATH), merged with the user's configuration.
 */
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, isAbsolute, resolve } from 'node:path';
import type { ServerConfig } from '../config.js';

export interface ServerSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly languages: readonly string[];
  readonly install: string;
  readonly initializationOptions?: unknown;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string>>;
  /** How diagnostics are had: waited for as published (`push`), or asked of tsserver (`tsserver`). */
  readonly diagnostics: 'push' | 'tsserver';
  /**
   * Files and directories of the server's own installation (scripts, binaries) that it must read
   * besides the workspace root and Node; the packages holding them are found from these.
   */
  readonly readPaths: readonly string[];
  /** Why the server cannot start here (a package that did not resolve), if known up front. */
  readonly missing?: string;
}

const require = createRequire(import.meta.url);
const TLS_SCRIPT = 'typescript-language-server/lib/cli.mjs';

function resolveModule(id: string): { path?: string; missing?: string } {
  try {
    return { path: require.resolve(id) };
  } catch (err) {
    return { missing: `cannot resolve "${id}" (${err instanceof Error ? err.message.split('\n')[0] : String(err)})` };
  }
}

function nodeScriptSpec(name: string, script: string, languages: string[], install: string, extra: Partial<ServerSpec> = {}): ServerSpec {
  const resolved = resolveModule(script);
  return {
    name,
    command: process.execPath,
    args: [resolved.path ?? script, '--stdio'],
    languages,
    readPaths: resolved.path === undefined ? [] : [resolved.path],
    install,
    settings: {},
    env: {},
    diagnostics: 'push',
    ...extra,
    ...(resolved.missing === undefined ? {} : { missing: resolved.missing }),
  };
}

export function builtinServers(): ServerSpec[] {
  const tsserver = resolveModule('typescript/lib/tsserver.js');
  const tls = resolveModule(TLS_SCRIPT);
  return [
    // Major versions in the hint: typescript 7 is the native port, without the tsserver.js this server drives.
    nodeScriptSpec('typescript', TLS_SCRIPT, ['typescript', 'javascript'], 'npm install typescript-language-server@5 typescript@5', {
      initializationOptions: {
        tsserver: {
          // Pin the TypeScript installed beside this package, so results do not depend on what the workspace has.
          ...(tsserver.path === undefined ? {} : { path: tsserver.path }),
          // The separate syntax server keeps an editor responsive while typing; tasks gain nothing
          // from it, and without it a cold start is one process (faster on few cores, ~160 MB less).
          useSyntaxServer: 'never',
        },
      },
      diagnostics: 'tsserver',
      // tsserver is typescript-language-server's child and reads the TypeScript package.
      readPaths: [tls.path, tsserver.path].filter((p): p is string => p !== undefined),
    }),
    nodeScriptSpec('pyright', 'pyright/langserver.index.js', ['python'], 'npm install pyright'),
  ];
}

/**
 * Built-ins merged with configured servers: an entry for a built-in changes only the fields it
 * gives (a new `command` drops the built-in's args); a new name adds a server; `false` removes one.
 */
export function serverSpecs(configured: Readonly<Record<string, ServerConfig | false>>): ServerSpec[] {
  const byName = new Map(builtinServers().map((s) => [s.name, s]));
  for (const [name, cfg] of Object.entries(configured)) {
    if (cfg === false) {
      byName.delete(name);
      continue;
    }
    const base = byName.get(name);
    const command = cfg.command ?? base?.command;
    const languages = cfg.languages ?? base?.languages;
    // The schema requires both for a server that is not built in.
    if (command === undefined || languages === undefined) continue;
    const sameCommand = cfg.command === undefined && base !== undefined;
    const initializationOptions = cfg.initializationOptions ?? base?.initializationOptions;
    byName.set(name, {
      name,
      command,
      args: cfg.args ?? (sameCommand ? base.args : []),
      languages,
      // Scripts named by absolute path are part of the installation, whatever else is configured.
      readPaths: [...new Set([...(sameCommand ? base.readPaths : []), ...(cfg.readPaths ?? []), ...(cfg.args ?? []).filter((a) => isAbsolute(a))])],
      install: cfg.install ?? base?.install ?? `install "${command}" or fix servers.${name}.command`,
      ...(initializationOptions === undefined ? {} : { initializationOptions }),
      settings: cfg.settings ?? base?.settings ?? {},
      env: { ...base?.env, ...cfg.env },
      diagnostics: cfg.diagnostics ?? base?.diagnostics ?? 'push',
      ...(sameCommand && base.missing !== undefined ? { missing: base.missing } : {}),
    });
  }
  return [...byName.values()];
}

/** Why a spec cannot start here, or undefined when its command (and script) exist. */
export function unavailableReason(spec: ServerSpec): string | undefined {
  if (spec.missing !== undefined) return spec.missing;
  if (!commandExists(spec.command)) return `command "${spec.command}" not found`;
  // A node script given by absolute path must exist too, or the process would only fail later.
  const script = spec.args.find((a) => isAbsolute(a) && /\.(c|m)?js$/.test(a));
  if (script !== undefined && !isReadable(script)) return `script "${script}" not found`;
  return undefined;
}

function commandExists(command: string): boolean {
  return findExecutable(command) !== undefined;
}

/** The executable a command names: itself when it holds a slash, else the first match on PATH. */
export function findExecutable(command: string): string | undefined {
  if (command.includes('/') || command.includes('\\')) return isExecutable(command) ? command : undefined;
  return (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => resolve(dir, command))
    .find(isExecutable);
}

function isExecutable(p: string): boolean {
  return hasAccess(p, constants.X_OK);
}

function isReadable(p: string): boolean {
  return hasAccess(p, constants.R_OK);
}

function hasAccess(p: string, mode: number): boolean {
  try {
    accessSync(p, mode);
    return true;
  } catch {
    return false;
  }
}
