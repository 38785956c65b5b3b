/**
 * The fleet runtime's executor, on the runner side: an enqueue-and-settle facade. It enqueues each
 * routed task as a BullMQ job on the chosen worker's queue (a PRODUCER span, W3C context in the
 * job) and settles it from its reply; the registry watcher keeps the live worker set, the reply
 * reader reads results in bulk, and the recovery unit re-routes tasks whose worker or job was lost.
 */
import { RatePacer } from './rate-pacer.js';
import { RedisLimiter } from './redis-limiter.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { WorkerView } from '../contracts/worker.js';
import { WeftError, errorMessage } from '../errors.js';
import type { ExecutorDeps } from '../executors/executor-deps.js';
import type { ExecuteRequest, Executor } from '../executors/executor.js';
import type { Logger } from '../logging/logger.js';
import { Attr, SpanNames } from '../tracing/attributes.js';
import { failSpan, type Telemetry } from '../tracing/telemetry.js';
import { FleetKeys, DEFAULT_PREFIX, assertPrefixFits } from './fleet-keys.js';
import type { FleetExecutorOptions } from './fleet-options.js';
import { PAYLOAD_VERSION, type JobPayload, type TaskReply } from './job-payload.js';
import type { PendingTask } from './pending-task.js';
import { QueueSet } from './queue-set.js';
import { connectRedis, isClusterUrl, type RedisClient } from './redis-connection.js';
import { RedisRunJournals } from './redis-run-journal.js';
import { CancelListener } from './cancel-listener.js';
import { RegistryWatcher } from './registry-watcher.js';
import { ReplyReader } from './reply-reader.js';
import { DEFAULT_KEEP_RUNS, DEFAULT_RETENTION_MS } from './run-record.js';
import { RunStore } from './run-store.js';
import { deserializeError } from './serialized-error.js';
import { jobOrder } from './job-order.js';
import { TaskRecovery } from './task-recovery.js';
import { injectTrace } from './trace-carrier.js';
import { toWorkerView, type WorkerRecord } from './worker-registry.js';

export class FleetExecutor implements Executor {
  readonly kind = 'fleet' as const;
  /** A fleet's workers come and go: routing waits, bounded, for a capable one to (re)appear. */
  readonly waitsForWorkers = true;
  /** This runner's id: workers push its results to its reply list. */
  readonly runnerId = randomUUID();
  readonly keys: FleetKeys;
  readonly store: RunStore;
  /** Runs this process drives, kept in Redis (registered as the engine's RunJournals). */
  readonly journals: RedisRunJournals;
  private readonly cancels: CancelListener;
  private readonly telemetry: Telemetry;
  private readonly logger: Logger;
  /** The runner's command connection (shared by its stores: runs, dead letters). */
  readonly redis: RedisClient;
  /**
   * BullMQ's own. No auto-pipelining here: BullMQ defines ~50 scripts on this client, which every
   * pipeline copies (75-180 µs each), so a command written alone is cheaper than a pipeline per
   * turn (measured: 34-157 µs vs 70-478 µs of CPU per add, at 20 and 1 adds per turn).
   */
  private readonly queueConnection: RedisClient;
  private readonly queues: QueueSet;
  private readonly registry: RegistryWatcher;
  private readonly replies: ReplyReader;
  private readonly recovery: TaskRecovery;
  private readonly pending = new Map<string, PendingTask>();
  private readonly sent = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private readonly watched = new Map<AbortSignal, { tasks: Set<PendingTask>; onAbort: () => void }>();
  private readonly started: Promise<void>;
  /** Holds tasks of keys with a rate until their start is due. */
  private readonly pacer: RatePacer;
  private closed = false;

  constructor(
    private readonly options: FleetExecutorOptions,
    deps: Pick<ExecutorDeps, 'telemetry' | 'logger' | 'reselect' | 'moved'>,
  ) {
    this.keys = new FleetKeys(options.prefix ?? DEFAULT_PREFIX);
    assertPrefixFits(this.keys.prefix, isClusterUrl(options.redisUrl));
    this.telemetry = deps.telemetry;
    this.logger = (options.logger ?? deps.logger).child({ runner: this.runnerId });
    const pollMs = options.pollMs ?? 250;
    this.redis = connectRedis(options.redisUrl, this.logger, 'runner', { onRestored: () => void this.recovery.recoverLost(), autoPipelining: true });
    this.queueConnection = connectRedis(options.redisUrl, this.logger, 'runner-queues');
    const blocking = connectRedis(options.redisUrl, this.logger, 'runner-replies');
    const keepRuns = options.keepRuns ?? DEFAULT_KEEP_RUNS;
    const retentionMs = options.runTtlMs ?? DEFAULT_RETENTION_MS;
    this.pacer = new RatePacer(new RedisLimiter(this.redis, this.keys, this.logger), this.telemetry);
    this.store = new RunStore(this.redis, this.keys, { keepDecisions: options.keepDecisions ?? 200 }, this.logger);
    this.cancels = new CancelListener(options.redisUrl, this.keys, this.logger);
    this.journals = new RedisRunJournals(
      this.redis,
      this.queueConnection,
      this.keys,
      this.cancels,
      {
        driverId: this.runnerId,
        driverName: options.driverName ?? `runner-${hostname()}-${process.pid}`,
        leaseMs: options.leaseMs ?? 5000,
        retentionMs,
        keepRuns,
        flushViews: () => this.store.flush(),
      },
      this.logger,
    );
    this.queues = new QueueSet(this.queueConnection, this.keys.prefix, this.logger);
    this.registry = new RegistryWatcher(this.redis, this.keys, this.queues, this.logger, { pollMs, deadWorkerMs: options.deadWorkerMs ?? 60_000 }, (joined) => {
      this.recovery.afterPoll();
      if (joined) this.capacity();
    });
    this.replies = new ReplyReader(blocking, this.keys.replies(this.runnerId), (raw) => this.onReply(raw), this.logger);
    this.recovery = new TaskRecovery(
      {
        pending: this.pending,
        queues: this.queues,
        registry: this.registry,
        keys: this.keys,
        telemetry: this.telemetry,
        logger: this.logger,
        store: this.store,
        reselect: deps.reselect,
        moved: deps.moved,
        workers: () => this.workers(),
        count: (id, delta) => this.count(id, delta),
        enqueue: (p) => this.enqueue(p),
        closed: () => this.closed,
      },
      { pollMs, rerouteWaitMs: options.rerouteWaitMs ?? 30_000, lostJobCheckMs: options.lostJobCheckMs ?? 5000 },
    );
    this.started = this.start(blocking);
    this.started.catch(() => {});
  }

  /** Resolves once connected and the registry has been read once. */
  ready(): Promise<void> {
    return this.started;
  }

  private async start(blocking: RedisClient): Promise<void> {
    await Promise.all([this.redis.connect(), this.queueConnection.connect(), blocking.connect()]);
    await this.registry.start();
    this.replies.start();
  }

  /** The registry record of a live worker (task types, queues), for guards and `weft status`. */
  record(workerId: string): WorkerRecord | undefined {
    return this.registry.live.get(workerId);
  }

  workers(): readonly WorkerView[] {
    const out: WorkerView[] = [];
    for (const r of this.registry.live.values()) if (!r.draining) out.push(toWorkerView(r, this.sent.get(r.id) ?? 0));
    return out;
  }

  onCapacity(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private capacity(): void {
    for (const l of this.listeners) l();
  }

  execute(req: ExecuteRequest): Promise<unknown> {
    if (!req.task.limit?.rate) return this.submit(req, randomUUID());
    // A task whose key has a rate is enqueued when its start is due (see rate-pacer.ts).
    const requestId = randomUUID();
    return this.pacer.pace(req, requestId).then(() => this.submit(req, requestId));
  }

  private submit(req: ExecuteRequest, requestId: string): Promise<unknown> {
    if (this.closed) return Promise.reject(new WeftError('WEFT_ENGINE_CLOSED', 'The engine is closed; create a new one to run tasks.', { retryable: false }));
    if (!this.registry.live.has(req.workerId)) {
      return Promise.reject(
        new WeftError('WEFT_WORKER_LOST', `Worker "${req.workerId}" left the fleet before step "${req.task.stepId}" was enqueued on it.`, {
          details: { workerId: req.workerId },
        }),
      );
    }
    return new Promise((resolve, reject) => {
      const p: PendingTask = {
        requestId,
        req,
        workerId: req.workerId,
        queue: this.keys.workerQueue(req.workerId),
        jobId: '',
        enqueuedAt: 0,
        routes: 0,
        rerouting: false,
        settle: (ok, value) => {
          if (!this.pending.delete(requestId)) return;
          this.count(p.workerId, -1);
          this.unwatch(p);
          if (ok) resolve(value);
          else reject(value);
          this.capacity();
        },
      };
      this.pending.set(requestId, p);
      this.count(p.workerId, 1);
      if (req.signal.aborted) return this.cancel(p);
      this.watch(p);
      this.enqueue(p).catch((err: unknown) => p.settle(false, err));
    });
  }

  private cancel(p: PendingTask): void {
    void this.queues
      .get(p.queue)
      .remove(p.jobId)
      .catch(() => 0);
    p.settle(false, p.req.signal.reason);
  }

  /**
   * One abort listener per signal, not per task: a run's signal is shared by thousands of tasks,
   * and EventTarget's add/remove cost grows with its listener count.
   */
  private watch(p: PendingTask): void {
    const signal = p.req.signal;
    let w = this.watched.get(signal);
    if (!w) {
      const tasks = new Set<PendingTask>();
      const onAbort = (): void => {
        this.watched.delete(signal);
        for (const t of [...tasks]) this.cancel(t);
      };
      w = { tasks, onAbort };
      this.watched.set(signal, w);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    w.tasks.add(p);
  }

  private unwatch(p: PendingTask): void {
    const signal = p.req.signal;
    const w = this.watched.get(signal);
    if (!w || !w.tasks.delete(p) || w.tasks.size > 0) return;
    this.watched.delete(signal);
    signal.removeEventListener('abort', w.onAbort);
  }

  private count(workerId: string, delta: number): void {
    const n = (this.sent.get(workerId) ?? 0) + delta;
    if (n <= 0) this.sent.delete(workerId);
    else this.sent.set(workerId, n);
  }

  private async enqueue(p: PendingTask): Promise<void> {
    p.routes++;
    p.jobId = `${p.requestId}-${p.routes}`;
    p.enqueuedAt = Date.now();
    const { task } = p.req;
    const { span } = this.telemetry.start(SpanNames.TASK_ENQUEUE, p.req.traceContext, {
      kind: SpanKind.PRODUCER,
      attributes: {
        [Attr.TASK_ID]: task.id,
        [Attr.TASK_TYPE]: task.type,
        [Attr.TASK_ATTEMPT]: task.attempt,
        [Attr.TASK_WORKER]: p.workerId,
        [Attr.TASK_CAPABILITIES]: [...task.capabilities],
        [Attr.MESSAGING_SYSTEM]: 'bullmq',
        [Attr.MESSAGING_DESTINATION]: p.queue,
        [Attr.MESSAGING_OPERATION_TYPE]: 'send',
        [Attr.MESSAGING_OPERATION_NAME]: 'send',
        [Attr.MESSAGING_MESSAGE_ID]: p.jobId,
      },
    });
    const payload: JobPayload = {
      v: PAYLOAD_VERSION,
      requestId: p.requestId,
      replyTo: this.runnerId,
      route: p.routes,
      task: task as JobPayload['task'],
      // A resumed run's tasks may have completed under an earlier driver: the worker checks first.
      ...(this.journals.resumed(task.runId) ? { recheck: true } : {}),
      ...(p.req.timeoutMs === undefined ? {} : { timeoutMs: p.req.timeoutMs }),
      // The step's context: the worker's span is its child, as in the embedded runtime.
      trace: injectTrace(p.req.traceContext),
      enqueuedAt: Date.now(),
    };
    const keep = this.options.keepCompleted ?? 1000;
    try {
      await this.queues.add(p.queue, task.type, payload, {
        jobId: p.jobId,
        attempts: 1,
        removeOnComplete: { count: keep },
        removeOnFail: { count: keep },
        ...jobOrder(p.req),
      });
      span.setStatus({ code: SpanStatusCode.OK });
    } catch (err) {
      failSpan(span, err);
      throw new WeftError(
        'WEFT_REDIS_UNAVAILABLE',
        `Could not enqueue step "${task.stepId}" on queue ${p.queue}: ${errorMessage(err)}. Check that Redis is up.`,
        { cause: err },
      );
    } finally {
      span.end();
    }
  }

  private onReply(raw: string): void {
    let reply: TaskReply;
    try {
      reply = JSON.parse(raw) as TaskReply;
    } catch {
      this.logger.warn({ raw: raw.slice(0, 200) }, 'unreadable reply ignored');
      return;
    }
    const p = this.pending.get(reply.requestId);
    // A late reply for a task already answered (re-routed, then both ran) changes nothing.
    if (!p) return;
    if (reply.workerId !== p.req.workerId) p.req.onWorker?.(reply.workerId);
    if (reply.ok) p.settle(true, reply.output);
    else p.settle(false, deserializeError(reply.error ?? { name: 'Error', message: 'task failed', retryable: true }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.registry.stop();
    for (const p of [...this.pending.values()])
      p.settle(false, new WeftError('WEFT_ENGINE_CLOSED', 'The engine closed while the task was queued.', { retryable: false }));
    await this.started.catch(() => {});
    await this.store.flush();
    this.cancels.close();
    await this.replies.stop();
    await this.redis.del(this.keys.replies(this.runnerId)).catch(() => 0);
    await this.queues.closeAll();
    await this.queueConnection.quit().catch(() => this.queueConnection.disconnect());
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
