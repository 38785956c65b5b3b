import { WeftError } from '../errors.js';
import { MAX_TIMEOUT_MS } from '../pipeline/pipeline-schema.js';
import { handlerLimitSchema } from '../pipeline/limit-schema.js';
import { notModuleHandler } from '../isolate/isolation.js';
import { handlerModuleRef } from '../isolate/module-handler.js';
import type { HandlerOptions, RegisteredHandler, TaskHandler } from '../contracts/handler.js';

export class HandlerRegistry {
  private readonly handlers = new Map<string, RegisteredHandler>();

  register(type: string, fn: TaskHandler, options: HandlerOptions = {}, plugin = '<app>'): void {
    const existing = this.handlers.get(type);
    if (existing) {
      throw new WeftError(
        'WEFT_HANDLER_DUPLICATE',
        `Task type "${type}" is already handled by ${existing.plugin}; ${plugin} tried to register it again. Give one of them another type name.`,
        { retryable: false, details: { type, plugins: [existing.plugin, plugin] } },
      );
    }
    const t = options.timeoutMs;
    if (t !== undefined && !(Number.isInteger(t) && t > 0 && t <= MAX_TIMEOUT_MS)) {
      // Node fires a longer timer after 1 ms: every attempt would time out at once.
      throw new WeftError(
        'WEFT_CONFIG_INVALID',
        `Task type "${type}" (${plugin}) has timeoutMs ${t}; it must be a whole number of ms from 1 to ${MAX_TIMEOUT_MS} (about 24.8 days).`,
        {
          retryable: false,
          details: { type, timeoutMs: t },
        },
      );
    }
    checkIsolation(type, fn, options, plugin);
    checkLimits(type, options, plugin);
    this.handlers.set(type, { type, fn, options, plugin });
  }

  get(type: string): RegisteredHandler | undefined {
    return this.handlers.get(type);
  }

  require(type: string): RegisteredHandler {
    const h = this.handlers.get(type);
    if (!h) {
      throw new WeftError(
        'WEFT_HANDLER_NOT_FOUND',
        `No handler for task type "${type}". Load the plugin that provides it, or register one with registerHandler("${type}", fn).`,
        {
          retryable: false,
          details: { type },
        },
      );
    }
    return h;
  }

  types(): string[] {
    return [...this.handlers.keys()].sort();
  }

  list(): RegisteredHandler[] {
    return [...this.handlers.values()];
  }
}

/** `isolate` needs a handler a thread or process can load; `memoryMb` needs `isolate`. */
function checkIsolation(type: string, fn: TaskHandler, options: HandlerOptions, plugin: string): void {
  const { isolate, memoryMb } = options;
  if (isolate !== undefined && isolate !== 'thread' && isolate !== 'process') {
    throw new WeftError('WEFT_CONFIG_INVALID', `Task type "${type}" (${plugin}) has isolate "${String(isolate)}"; use 'thread' or 'process'.`, {
      retryable: false,
      details: { type, isolate },
    });
  }
  if (isolate !== undefined && !handlerModuleRef(fn)) throw notModuleHandler(type, isolate);
  if (memoryMb !== undefined && (isolate === undefined || !Number.isInteger(memoryMb) || memoryMb < 16 || memoryMb > 1_048_576)) {
    throw new WeftError(
      'WEFT_CONFIG_INVALID',
      `Task type "${type}" (${plugin}) has memoryMb ${memoryMb}; it must be a whole number of MB from 16 up, and only goes with isolate: 'thread' or 'process'.`,
      { retryable: false, details: { type, memoryMb } },
    );
  }
}

/** `limitKey`, `concurrency` and `rate`, checked as a step's are. */
function checkLimits(type: string, options: HandlerOptions, plugin: string): void {
  if (options.limitKey === undefined && options.concurrency === undefined && options.rate === undefined) return;
  const parsed = handlerLimitSchema.safeParse({ limitKey: options.limitKey, concurrency: options.concurrency, rate: options.rate });
  if (parsed.success) return;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new WeftError('WEFT_CONFIG_INVALID', `Task type "${type}" (${plugin}) declares invalid limits: ${issues.join('; ')}.`, {
    retryable: false,
    details: { type, issues },
  });
}
