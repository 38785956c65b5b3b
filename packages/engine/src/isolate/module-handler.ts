/**
 * A handler named by module and export instead of by a function value, so a thread or a child
 * process can load it itself: only the plugin's own code names modules, never job data or
 * pipeline files.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TaskHandler } from '../contracts/handler.js';
import { WeftError } from '../errors.js';

/** Where an isolated handler lives: a `file:` URL and the name of its export. */
export interface HandlerModuleRef {
  readonly module: string;
  readonly export: string;
}

const MODULE_REF = Symbol.for('weft.handlerModule');

export interface ModuleHandlerOptions {
  /** The module: a `file:` URL (`new URL('./hash.js', import.meta.url)`) or an absolute path. */
  readonly module: string | URL;
  /** The export that is the handler `(input, ctx) => output`. Default `default`. */
  readonly export?: string;
}

/**
 * A handler loaded from a module: `moduleHandler({ module: new URL('./hash.js', import.meta.url),
 * export: 'hash' })`. In process it imports the module on first use; with the handler option
 * `isolate: 'thread' | 'process'` the thread or process imports it.
 */
export function moduleHandler<I = unknown, O = unknown>(options: ModuleHandlerOptions): TaskHandler<I, O> {
  const ref: HandlerModuleRef = { module: toModuleUrl(options.module), export: options.export ?? 'default' };
  let loaded: Promise<TaskHandler<I, O>> | undefined;
  const fn: TaskHandler<I, O> = async (input, ctx) => {
    loaded ??= loadHandler(ref) as Promise<TaskHandler<I, O>>;
    return (await loaded)(input, ctx);
  };
  Object.defineProperty(fn, MODULE_REF, { value: ref });
  return fn;
}

/** The module and export of a handler made by moduleHandler(), or undefined for a plain function. */
export function handlerModuleRef(fn: TaskHandler): HandlerModuleRef | undefined {
  return (fn as unknown as { [MODULE_REF]?: HandlerModuleRef })[MODULE_REF];
}

/** Imports the module and returns its export, which must be a function. */
export async function loadHandler(ref: HandlerModuleRef): Promise<TaskHandler> {
  const mod = (await import(ref.module)) as Record<string, unknown>;
  const fn = mod[ref.export];
  if (typeof fn !== 'function') {
    throw new WeftError('WEFT_CONFIG_INVALID', `Module ${ref.module} has no function export "${ref.export}". Export the handler under that name.`, {
      retryable: false,
      details: { module: ref.module, export: ref.export },
    });
  }
  return fn as TaskHandler;
}

function toModuleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (module.startsWith('file:')) return module;
  if (isAbsolute(module)) return pathToFileURL(module).href;
  throw new WeftError(
    'WEFT_CONFIG_INVALID',
    `moduleHandler() got "${module}", which is neither a file: URL nor an absolute path. Use new URL('./handler.js', import.meta.url).`,
    { retryable: false, details: { module } },
  );
}
