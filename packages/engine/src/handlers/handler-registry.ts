import { WeftError } from '../errors.js';
import { MAX_TIMEOUT_MS } from '../pipeline/pipeline-schema.js';
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
