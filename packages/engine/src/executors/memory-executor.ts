/** The embedded runtime: in-process worker slots with ids, capabilities and concurrency. */
import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import { WORKER_DEFAULTS } from '../config/engine-config.js';
import type { WorkerView } from '../contracts/worker.js';
import { WeftError } from '../errors.js';
import type { HandlerRegistry } from '../handlers/handler-registry.js';
import type { Logger } from '../logging/logger.js';
import { EmbeddedWorkersToken, ExecutorDepsToken } from '../tokens.js';
import type { Telemetry } from '../tracing/telemetry.js';
import type { ExecuteRequest, Executor } from './executor.js';
import { Isolation } from '../isolate/isolation.js';
import { MemoryLimiter } from '../limits/memory-limiter.js';
import { limitWaitSpan } from '../limits/limit-span.js';
import { runTask } from './task-runner.js';
import { WorkerStatsTracker } from './worker-stats.js';
import { DEFAULT_PRIORITY } from '../pipeline/queue-order.js';
import { sleep } from '../util/abort.js';

export interface EmbeddedWorkerOptions {
  readonly id: string;
  // Defaults: WORKER_DEFAULTS (config/engine-config.ts), as for the configuration's `workers`.
  /** What the slot accepts; `*` accepts every task. */
  readonly capabilities?: readonly string[];
  /** Tasks run at once on this slot. */
  readonly concurrency?: number;
  readonly weight?: number;
  readonly kind?: string;
}

interface Waiter {
  readonly priority: number;
  readonly go: () => void;
}

interface Slot {
  view: WorkerView;
  tracker: WorkerStatsTracker;
  /** Tasks waiting for room, highest priority first, first in first out within one. */
  waiting: Waiter[];
  running: number;
}

@injectable()
export class MemoryExecutor implements Executor {
  readonly kind = 'embedded' as const;
  readonly waitsForWorkers = false;
  private readonly slots = new Map<string, Slot>();
  private readonly listeners = new Set<() => void>();
  private closed = false;
  /** Sandboxes of handlers declared with `isolate`, as many as the slots run at once. */
  private readonly isolation: Isolation;
  /** Per-key limits of the tasks that declare them: a task over its limit waits before taking a slot. */
  private readonly limiter = new MemoryLimiter();

  constructor(
    @inject(EmbeddedWorkersToken) workers: readonly EmbeddedWorkerOptions[],
    @inject(ExecutorDepsToken) private readonly deps: { handlers: HandlerRegistry; telemetry: Telemetry; logger: Logger },
  ) {
    for (const w of workers) {
      const tracker = new WorkerStatsTracker();
      const view: WorkerView = {
        id: w.id,
        capabilities: w.capabilities ?? WORKER_DEFAULTS.capabilities,
        concurrency: w.concurrency ?? WORKER_DEFAULTS.concurrency,
        weight: w.weight ?? WORKER_DEFAULTS.weight,
        kind: w.kind ?? WORKER_DEFAULTS.kind,
        stats: tracker.stats,
      };
      this.slots.set(w.id, { view, tracker, waiting: [], running: 0 });
    }
    this.isolation = new Isolation([...this.slots.values()].reduce((n, s) => n + s.view.concurrency, 0));
  }

  workers(): readonly WorkerView[] {
    return [...this.slots.values()].map((s) => s.view);
  }

  onCapacity(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async execute(req: ExecuteRequest): Promise<unknown> {
    if (this.closed) throw new WeftError('WEFT_ENGINE_CLOSED', 'The engine is closed; create a new one to run tasks.', { retryable: false });
    const slot = this.slots.get(req.workerId);
    if (!slot) throw new WeftError('WEFT_WORKER_LOST', `Worker "${req.workerId}" is not part of this engine.`, { details: { workerId: req.workerId } });
    // A delayed step's task waits for its time first, holding no slot.
    if (req.notBefore !== undefined && req.notBefore > Date.now()) await sleep(req.notBefore - Date.now(), req.signal);
    const limit = req.task.limit;
    const release = limit
      ? await this.limiter.acquire(limit, req.signal, (a) => limitWaitSpan(this.deps.telemetry, req.traceContext, req.task, req.workerId, limit, a))
      : undefined;
    // In flight from now (queued or running), so routing sees it; it runs when the slot has room.
    slot.tracker.started();
    const started = performance.now();
    const queuedAt = Date.now();
    while (slot.running >= slot.view.concurrency) {
      await new Promise<void>((go) => enqueue(slot.waiting, { priority: req.priority ?? DEFAULT_PRIORITY, go }));
    }
    slot.running++;
    let ok = false;
    let message: string | undefined;
    try {
      const out = await runTask({
        handlers: this.deps.handlers,
        telemetry: this.deps.telemetry,
        logger: this.deps.logger,
        task: req.task,
        workerId: req.workerId,
        signal: req.signal,
        parent: req.traceContext,
        queuedAt,
        isolation: this.isolation,
        ...(req.timeoutMs === undefined ? {} : { timeoutMs: req.timeoutMs }),
      });
      ok = true;
      return out;
    } catch (err) {
      message = err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      release?.();
      slot.running--;
      slot.tracker.finished(ok, performance.now() - started, message);
      slot.waiting.shift()?.go();
      for (const l of this.listeners) l();
    }
  }

  close(): Promise<void> {
    this.closed = true;
    this.isolation.close();
    return Promise.resolve();
  }
}

/** Inserts after every waiter of the same or a higher priority (a backlog is short: a linear scan). */
function enqueue(waiting: Waiter[], w: Waiter): void {
  let i = waiting.length;
  while (i > 0 && waiting[i - 1]!.priority < w.priority) i--;
  waiting.splice(i, 0, w);
}
