/**
 * Runs handlers declared with `isolate: 'thread' | 'process'`: one pool of sandboxes per mode and
 * memory cap, as many as the worker runs at once, started on demand and replaced when one dies.
 * Owned by the executor or fleet worker that runs the tasks, which closes it.
 */
import type { HandlerContext, RegisteredHandler } from '../contracts/handler.js';
import { WeftError } from '../errors.js';
import { handlerModuleRef } from './module-handler.js';
import { Sandbox, type IsolateMode } from './sandbox.js';
import { applyNote } from './sandbox-notes.js';

class SandboxPool {
  private readonly idle: Sandbox[] = [];
  private readonly busy = new Set<Sandbox>();
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly mode: IsolateMode,
    private readonly memoryMb: number | undefined,
    private readonly max: number,
  ) {}

  async run(run: (s: Sandbox) => Promise<unknown>): Promise<unknown> {
    while (this.idle.length === 0 && this.busy.size >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    const sandbox = this.idle.pop() ?? new Sandbox({ mode: this.mode, ...(this.memoryMb === undefined ? {} : { memoryMb: this.memoryMb }) });
    this.busy.add(sandbox);
    try {
      return await run(sandbox);
    } finally {
      this.busy.delete(sandbox);
      if (sandbox.alive) this.idle.push(sandbox);
      this.waiting.shift()?.();
    }
  }

  close(): void {
    for (const s of [...this.idle, ...this.busy]) s.terminate();
    this.idle.length = 0;
  }
}

export class Isolation {
  private readonly pools = new Map<string, SandboxPool>();
  private nextId = 1;
  private closed = false;

  /** @param size sandboxes per pool: the number of tasks the owner runs at once. */
  constructor(private readonly size: number) {}

  /** Runs an isolated handler's call in a sandbox of its mode; the signal terminates it. */
  run(handler: RegisteredHandler, input: unknown, ctx: HandlerContext): Promise<unknown> {
    const mode = handler.options.isolate!;
    const ref = handlerModuleRef(handler.fn);
    if (!ref) return Promise.reject(notModuleHandler(handler.type, mode));
    if (this.closed)
      return Promise.reject(new WeftError('WEFT_ENGINE_CLOSED', 'The worker is closed; isolated handlers no longer run here.', { retryable: false }));
    const memoryMb = handler.options.memoryMb;
    const key = `${mode}:${memoryMb ?? ''}`;
    let pool = this.pools.get(key);
    if (!pool) this.pools.set(key, (pool = new SandboxPool(mode, memoryMb, this.size)));
    const req = { id: this.nextId++, ref, input, task: ctx.task, workerId: ctx.workerId, spanContext: ctx.span.spanContext(), logLevel: ctx.logger.level };
    return pool.run((sandbox) => sandbox.run(req, ctx.signal, (note) => applyNote(note, ctx, mode)));
  }

  /** Terminates every sandbox. */
  close(): void {
    this.closed = true;
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
  }
}

export function notModuleHandler(type: string, mode: string): WeftError {
  return new WeftError(
    'WEFT_CONFIG_INVALID',
    `Task type "${type}" asks for isolate: '${mode}', but its handler is a plain function, which cannot be sent to a ${mode}. Register moduleHandler({ module: new URL('./handler.js', import.meta.url), export: 'name' }) instead.`,
    { retryable: false, details: { type, isolate: mode } },
  );
}
