/**
 * A fleet worker: registers in Redis with a heartbeat and live stats, consumes its own queue
 * plus the shared pool queues of its capabilities, runs each job through runTask (a CONSUMER
 * span joined to the runner's trace), records completed results under the idempotency key, and
 * drains on close(): in-flight jobs finish, nothing new is taken, a timeout bounds the wait.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { WeftError, errorMessage } from '../errors.js';
import { WorkerStatsTracker } from '../executors/worker-stats.js';
import type { HandlerRegistry } from '../handlers/handler-registry.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { Semaphore } from '../scheduler/semaphore.js';
import { Isolation } from '../isolate/isolation.js';
import type { Telemetry } from '../tracing/telemetry.js';
import { FleetKeys, DEFAULT_PREFIX, assertPrefixFits } from './fleet-keys.js';
import type { FleetWorkerOptions } from './fleet-options.js';
import { REPLY_TO, jobPayloadSchema, toTaskDescriptor, type JobPayload, type TaskReply } from './job-payload.js';
import { assertReachable, connectRedis, createRedisClient, fleetRedisOptions, isClusterUrl, type RedisClient } from './redis-connection.js';
import { CancelListener } from './cancel-listener.js';
import { LimitGate } from './limit-gate.js';
import { RedisLimiter } from './redis-limiter.js';
import { ReplyBatcher, type TaskRecord } from './reply-batcher.js';
import { RunAborts } from './run-aborts.js';
import { WorkerJobRunner, failedReply } from './worker-job.js';
import { WorkerPresence } from './worker-presence.js';
import type { WorkerRecord } from './worker-registry.js';
import type { PluginStatsSection } from '../contracts/plugin-stats.js';

const REPLY_TTL_S = 3600;

export class FleetWorker {
  readonly id: string;
  readonly capabilities: readonly string[];
  readonly concurrency: number;
  readonly queues: readonly string[];
  private readonly keys: FleetKeys;
  private readonly logger: Logger;
  private readonly tracker = new WorkerStatsTracker();
  private readonly slots: Semaphore;
  /** Sandboxes of handlers declared with `isolate`. */
  private readonly isolation: Isolation;
  private readonly abort = new AbortController();
  /** Per-run signals: a cancelled run's handlers abort, on every worker, as the cancel is published. */
  private readonly runAborts = new RunAborts(this.abort.signal);
  private cancels: CancelListener | undefined;
  /** Per-key limits of tasks that declare them. */
  private limits: LimitGate | undefined;
  private readonly startedAt = new Date().toISOString();
  private readonly presence: WorkerPresence;
  private jobs: WorkerJobRunner | undefined;
  /** By queue: each consumer's replies go on its own connection (see ReplyBatcher). */
  private readonly replies = new Map<string, ReplyBatcher>();
  private redis: RedisClient | undefined;
  /** Cluster clients handed to BullMQ, which leaves a client it was given open. */
  private readonly clusterClients: RedisClient[] = [];
  private consumers: Worker[] = [];
  private draining = false;
  private closed: Promise<void> | undefined;

  constructor(
    private readonly options: FleetWorkerOptions,
    private readonly deps: {
      handlers: HandlerRegistry;
      telemetry: Telemetry;
      /** The plugins' `reportStats` sections, published on each heartbeat. */
      stats?: { collect(): readonly PluginStatsSection[] };
    },
  ) {
    this.id = options.id ?? `${hostname().replace(/[^A-Za-z0-9._-]/g, '-')}-${process.pid}-${randomBytes(3).toString('hex')}`;
    if (!/^[A-Za-z0-9._-]+$/.test(this.id)) {
      throw new WeftError('WEFT_CONFIG_INVALID', `Worker id "${this.id}" may only use letters, digits, ".", "_" and "-". Choose another --id.`, {
        retryable: false,
      });
    }
    this.capabilities = options.capabilities && options.capabilities.length > 0 ? options.capabilities : ['*'];
    this.concurrency = options.concurrency ?? 4;
    this.slots = new Semaphore(this.concurrency);
    this.isolation = new Isolation(this.concurrency);
    this.keys = new FleetKeys(options.prefix ?? DEFAULT_PREFIX);
    assertPrefixFits(this.keys.prefix, isClusterUrl(options.redisUrl));
    this.logger = (options.logger ?? silentLogger()).child({ worker: this.id });
    const heartbeatMs = options.heartbeatMs ?? 1000;
    const pools =
      options.pools === false ? [] : [this.keys.poolQueue(undefined), ...this.capabilities.filter((c) => c !== '*').map((c) => this.keys.poolQueue(c))];
    this.queues = [this.keys.workerQueue(this.id), ...pools];
    this.presence = new WorkerPresence({
      id: this.id,
      keys: this.keys,
      queues: this.queues,
      heartbeatMs,
      ttlMs: options.heartbeatTtlMs ?? 3 * heartbeatMs,
      logger: this.logger,
      record: () => this.record(),
    });
  }

  /** Live stats, as published on each heartbeat. */
  get stats(): WorkerRecord['stats'] {
    return this.tracker.stats;
  }

  /** Checks Redis (fails fast with the redacted URL), registers, and starts consuming. */
  async start(): Promise<void> {
    await assertReachable(this.options.redisUrl);
    this.redis = connectRedis(this.options.redisUrl, this.logger, 'worker', { onRestored: () => void this.presence.beat(), autoPipelining: true });
    await this.redis.connect();
    this.limits = new LimitGate(new RedisLimiter(this.redis, this.keys, this.logger, this.options), this.deps.telemetry, this.id, this.concurrency);
    this.jobs = new WorkerJobRunner({
      workerId: this.id,
      handlers: this.deps.handlers,
      telemetry: this.deps.telemetry,
      logger: this.logger,
      keys: this.keys,
      redis: this.redis,
      tracker: this.tracker,
      isolation: this.isolation,
      shutdown: this.abort.signal,
      send: (queue, replyTo, replyJson, done) => this.send(queue, replyTo, replyJson, done),
    });
    this.cancels = new CancelListener(this.options.redisUrl, this.keys, this.logger);
    this.cancels.listen((runId) => {
      const aborted = this.runAborts.cancel(runId);
      if (aborted > 0) this.logger.info({ run: runId, aborted }, 'run cancelled; aborting its tasks here');
    });
    await this.cancels.ready();
    await this.presence.start(this.redis);
    for (const name of this.queues) {
      const consumer = new Worker(name, (job, token) => this.process(job, name, token), {
        connection: this.consumerConnection(),
        prefix: this.keys.prefix,
        concurrency: this.concurrency,
        lockDuration: this.options.lockDurationMs ?? 30_000,
        // Our scheduler owns retries; a stalled job is moved back once, then re-routed by the runner.
        maxStalledCount: 1,
      });
      consumer.on('error', (err) => this.logger.warn({ queue: name, err: errorMessage(err) }, 'queue consumer error; BullMQ reconnects'));
      this.consumers.push(consumer);
      this.replies.set(
        name,
        new ReplyBatcher(await consumer.backend.client, {
          replyTtlS: REPLY_TTL_S,
          doneTtlMs: this.options.idempotencyTtlMs ?? 86_400_000,
          logger: this.logger,
        }),
      );
    }
    this.logger.info(
      { capabilities: this.capabilities, concurrency: this.concurrency, queues: this.queues, taskTypes: this.deps.handlers.types() },
      'worker ready',
    );
  }

  /**
   * Options for BullMQ to connect with, or on a Redis Cluster a cluster client of the consumer's
   * own (BullMQ cannot make one from options). Either way, one consumer's commands share one
   * connection per node, so a reply is never written after its job's completion.
   */
  private consumerConnection(): ConnectionOptions {
    const url = this.options.redisUrl;
    // BullMQ's own RedisOptions type differs from ioredis' in detail; the values are ioredis options.
    if (!isClusterUrl(url)) return fleetRedisOptions(url) as ConnectionOptions;
    const client = createRedisClient(url, fleetRedisOptions(url));
    this.clusterClients.push(client);
    return client;
  }

  private record(): WorkerRecord {
    const plugins = this.deps.stats?.collect() ?? [];
    return {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      capabilities: this.capabilities,
      concurrency: this.concurrency,
      taskTypes: this.deps.handlers.types(),
      queues: this.queues,
      startedAt: this.startedAt,
      heartbeatAt: new Date().toISOString(),
      draining: this.draining,
      stats: this.tracker.stats,
      rssBytes: process.memoryUsage.rss(),
      ...(plugins.length > 0 ? { plugins } : {}),
    };
  }

  private async process(job: Job, queue: string, token?: string): Promise<unknown> {
    const parsed = jobPayloadSchema.safeParse(job.data);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      const err = new WeftError(
        'WEFT_JOB_INVALID',
        `Job ${job.id} on queue ${queue} has a malformed payload (${issues}). Enqueue jobs through the Weft executor; this job is failed and not retried.`,
        {
          retryable: false,
          details: { jobId: job.id, queue, issues },
        },
      );
      this.logger.warn({ jobId: job.id, queue, issues }, 'malformed job payload; failing the job');
      const replyTo = (job.data as { replyTo?: unknown; requestId?: unknown } | null) ?? {};
      // A replyTo that is not a runner id is never made into a key name.
      if (typeof replyTo.replyTo === 'string' && REPLY_TO.test(replyTo.replyTo) && typeof replyTo.requestId === 'string') {
        await this.reply(queue, replyTo.replyTo, failedReply({ requestId: replyTo.requestId }, job, this.id, err));
      }
      throw new UnrecoverableError(`${err.code}: ${err.message}`);
    }
    if (!this.deps.handlers.get(parsed.data.task.type)) return this.refuseType(job, queue, parsed.data);
    const limit = parsed.data.task.limit;
    // Over its key's limit the job goes back to delayed (DelayedError) before taking a slot.
    const release = limit ? await this.limits!.admit(job, token, parsed.data, limit) : undefined;
    // Without a wait when a slot is free: a synchronous handler then runs, and its reply is
    // written, before BullMQ's own work for this job (fetching the next) takes the event loop.
    if (!this.slots.tryAcquire()) await this.slots.acquire();
    try {
      return await this.run(job, queue, parsed.data);
    } finally {
      this.slots.release();
      // Not awaited: the job completes without waiting for the lease's removal (a command on the
      // same connection, so it reaches Redis before any later admission from this worker);
      // release() logs its own failure, and the lease expires anyway.
      if (release) void release();
    }
  }

  private async run(job: Job, queue: string, payload: JobPayload): Promise<unknown> {
    const task = toTaskDescriptor(payload.task);
    const signal = this.runAborts.enter(task.runId);
    if (!signal) {
      // Its run was cancelled: the job is answered, never started.
      const err = new WeftError('WEFT_RUN_CANCELLED', `Run ${task.runId} was cancelled; step "${task.stepId}" was not started.`, {
        retryable: false,
        details: { runId: task.runId },
      });
      await this.reply(queue, payload.replyTo, failedReply(payload, job, this.id, err));
      throw new UnrecoverableError(err.message);
    }
    try {
      return await this.jobs!.run(job, queue, payload, task, signal);
    } finally {
      this.runAborts.leave(task.runId);
    }
  }

  /**
   * A job for a task type this worker has no handler for (routed before a restart that dropped a
   * plugin, or enqueued by hand): failed at once with its code, and the runner told not to retry.
   */
  private async refuseType(job: Job, queue: string, payload: JobPayload): Promise<never> {
    const type = payload.task.type;
    const err = new WeftError(
      'WEFT_HANDLER_NOT_FOUND',
      `Worker ${this.id} has no handler for task type "${type}" (it serves ${this.deps.handlers.types().join(', ') || 'none'}). Load the plugin that provides it on this worker; the job is failed and not retried.`,
      {
        retryable: false,
        details: { type, workerId: this.id, jobId: job.id },
      },
    );
    this.logger.warn({ jobId: job.id, queue, type }, 'job for an unknown task type; failing it');
    await this.reply(queue, payload.replyTo, failedReply(payload, job, this.id, err));
    throw new UnrecoverableError(`${err.code}: ${err.message}`);
  }

  private reply(queue: string, replyTo: string, reply: TaskReply): Promise<void> {
    return this.send(queue, replyTo, JSON.stringify(reply));
  }

  /** A serialised reply (and the idempotency record that goes with it) on the queue's connection. */
  private send(queue: string, replyTo: string, replyJson: string, done?: TaskRecord): Promise<void> {
    return this.replies.get(queue)!.send(this.keys.replies(replyTo), replyJson, done);
  }

  /**
   * Drains: marks the record draining (routing stops sending work), lets in-flight jobs finish
   * within drainTimeoutMs, then aborts what is left and leaves the registry.
   */
  close(): Promise<void> {
    this.closed ??= this.drain();
    return this.closed;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    await this.presence.beat();
    const limit = this.options.drainTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const graceful = Promise.all(this.consumers.map((c) => c.close())).then(() => 'drained' as const);
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), limit)));
    const how = await Promise.race([graceful, timeout]);
    clearTimeout(timer);
    if (how === 'timeout') {
      this.logger.warn({ drainTimeoutMs: limit, inFlight: this.tracker.stats.inFlight }, 'drain timeout; aborting in-flight jobs');
      this.abort.abort(
        new WeftError('WEFT_WORKER_LOST', `Worker ${this.id} stopped after its ${limit} ms drain timeout. Raise --drain-timeout-ms for longer tasks.`),
      );
      await Promise.all(this.consumers.map((c) => c.close(true).catch(() => {})));
    }
    this.isolation.close();
    this.limits?.close();
    this.cancels?.close();
    await this.presence.leave();
    this.redis?.disconnect();
    for (const client of this.clusterClients) client.disconnect();
    this.logger.info({ how }, 'worker stopped');
  }
}
