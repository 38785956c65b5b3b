/**
 * The fleet runtime's executor, on the runner side: enqueues each routed task as a BullMQ job on
 * the chosen worker's queue (a PRODUCER span, W3C context in the job), reads results from its own
 * reply list, keeps the live worker set from the registry, and re-routes every task whose worker
 * lapsed, is draining with the job still waiting, or whose job Redis lost.
 */
import { randomUUID } from 'node:crypto';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Queue } from 'bullmq';
import { workerAccepts, type WorkerView } from '../contracts/worker.js';
import { DefaultLeastInFlight } from '../dispatch/least-in-flight.js';
import type { Reselect } from '../dispatch/dispatcher.js';
import { WeftError, errorMessage } from '../errors.js';
import type { ExecutorDeps } from '../engine.js';
import type { ExecuteRequest, Executor } from '../executors/executor.js';
import type { Logger } from '../logging/logger.js';
import { Attr, SpanNames } from '../tracing/attributes.js';
import { failSpan, type Telemetry } from '../tracing/telemetry.js';
import { sleep } from '../util/abort.js';
import { FleetKeys, DEFAULT_PREFIX, assertPrefixFits } from './fleet-keys.js';
import type { FleetExecutorOptions } from './fleet-options.js';
import { PAYLOAD_VERSION, type JobPayload, type TaskReply } from './job-payload.js';
import { connectRedis, isClusterUrl, type RedisClient } from './redis-connection.js';
import { RunStore } from './run-store.js';
import { deserializeError } from './serialized-error.js';
import { injectTrace } from './trace-carrier.js';
import { readRegistry, toWorkerView, type WorkerRecord } from './worker-registry.js';

/** Resolves on the next turn of the event loop, after this turn's microtasks. */
const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Pending {
  readonly requestId: string;
  readonly req: ExecuteRequest;
  workerId: string;
  queue: string;
  jobId: string;
  /** When the current job was enqueued (ms since the epoch). */
  enqueuedAt: number;
  routes: number;
  rerouting: boolean;
  settle(ok: boolean, value: unknown): void;
}

export class FleetExecutor implements Executor {
  readonly kind = 'fleet' as const;
  /** This runner's id: workers push its results to its reply list. */
  readonly runnerId = randomUUID();
  readonly keys: FleetKeys;
  readonly store: RunStore;
  private readonly telemetry: Telemetry;
  private readonly logger: Logger;
  private readonly redis: RedisClient;
  /**
   * BullMQ's own. No auto-pipelining here: BullMQ defines ~50 scripts on this client, which every
   * pipeline copies (75-180 µs each), so a command written alone is cheaper than a pipeline per
   * turn (measured: 34-157 µs vs 70-478 µs of CPU per add, at 20 and 1 adds per turn).
   */
  private readonly queueConnection: RedisClient;
  private readonly blocking: RedisClient;
  private readonly pollMs: number;
  private readonly lostJobCheckMs: number;
  private readonly picker = new DefaultLeastInFlight();
  /** The engine's guards and strategy for re-routes; least in flight without an engine. */
  private readonly reselect: Reselect | undefined;
  private readonly moved: ExecutorDeps['moved'];
  private live = new Map<string, WorkerRecord>();
  private readonly pending = new Map<string, Pending>();
  private readonly sent = new Map<string, number>();
  private readonly queues = new Map<string, Queue>();
  private readonly listeners = new Set<() => void>();
  private readonly watched = new Map<AbortSignal, { tasks: Set<Pending>; onAbort: () => void }>();
  private readonly started: Promise<void>;
  private timer: NodeJS.Timeout | undefined;
  private replies: Promise<void> | undefined;
  private polling = false;
  private lapsed = new Set<string>();
  private lastLostCheck = Date.now();
  private sweeping = false;
  private closed = false;

  constructor(
    private readonly options: FleetExecutorOptions,
    deps: Pick<ExecutorDeps, 'telemetry' | 'logger' | 'reselect' | 'moved'>,
  ) {
    this.keys = new FleetKeys(options.prefix ?? DEFAULT_PREFIX);
    assertPrefixFits(this.keys.prefix, isClusterUrl(options.redisUrl));
    this.telemetry = deps.telemetry;
    this.reselect = deps.reselect;
    this.moved = deps.moved;
    this.logger = (options.logger ?? deps.logger).child({ runner: this.runnerId });
    this.pollMs = options.pollMs ?? 250;
    this.lostJobCheckMs = options.lostJobCheckMs ?? 5000;
    this.redis = connectRedis(options.redisUrl, this.logger, 'runner', { onRestored: () => void this.recoverLost(), autoPipelining: true });
    this.queueConnection = connectRedis(options.redisUrl, this.logger, 'runner-queues');
    this.blocking = connectRedis(options.redisUrl, this.logger, 'runner-replies');
    this.store = new RunStore(this.redis, this.keys, { keepRuns: options.keepRuns ?? 100, keepDecisions: options.keepDecisions ?? 200, runTtlMs: options.runTtlMs ?? 7 * 86_400_000 }, this.logger);
    this.started = this.start();
    this.started.catch(() => {});
  }

  /** Resolves once connected and the registry has been read once. */
  ready(): Promise<void> {
    return this.started;
  }

  private async start(): Promise<void> {
    await Promise.all([this.redis.connect(), this.queueConnection.connect(), this.blocking.connect()]);
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.replies = this.readReplies();
  }

  /** The registry record of a live worker (task types, queues), for guards and `weft status`. */
  record(workerId: string): WorkerRecord | undefined {
    return this.live.get(workerId);
  }

  workers(): readonly WorkerView[] {
    const out: WorkerView[] = [];
    for (const r of this.live.values()) if (!r.draining) out.push(toWorkerView(r, this.sent.get(r.id) ?? 0));
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
    if (this.closed) return Promise.reject(new WeftError('WEFT_ENGINE_CLOSED', 'The engine is closed; create a new one to run tasks.', { retryable: false }));
    if (!this.live.has(req.workerId)) {
      return Promise.reject(new WeftError('WEFT_WORKER_LOST', `Worker "${req.workerId}" left the fleet before step "${req.task.stepId}" was enqueued on it.`, { details: { workerId: req.workerId } }));
    }
    return new Promise((resolve, reject) => {
      const requestId = randomUUID();
      const p: Pending = {
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

  private cancel(p: Pending): void {
    void this.queue(p.queue).remove(p.jobId).catch(() => 0);
    p.settle(false, p.req.signal.reason);
  }

  /**
   * One abort listener per signal, not per task: a run's signal is shared by thousands of tasks,
   * and EventTarget's add/remove cost grows with its listener count.
   */
  private watch(p: Pending): void {
    const signal = p.req.signal;
    let w = this.watched.get(signal);
    if (!w) {
      const tasks = new Set<Pending>();
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

  private unwatch(p: Pending): void {
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

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.queueConnection, prefix: this.keys.prefix });
      q.on('error', (err) => this.logger.debug({ queue: name, err: errorMessage(err) }, 'queue error'));
      this.queues.set(name, q);
    }
    return q;
  }

  private async enqueue(p: Pending): Promise<void> {
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
      ...(p.req.timeoutMs === undefined ? {} : { timeoutMs: p.req.timeoutMs }),
      // The step's context: the worker's span is its child, as in the embedded runtime.
      trace: injectTrace(p.req.traceContext),
      enqueuedAt: Date.now(),
    };
    const keep = this.options.keepCompleted ?? 1000;
    try {
      await this.queue(p.queue).add(task.type, payload, { jobId: p.jobId, attempts: 1, removeOnComplete: { count: keep }, removeOnFail: { count: keep } });
      span.setStatus({ code: SpanStatusCode.OK });
    } catch (err) {
      failSpan(span, err);
      throw new WeftError('WEFT_REDIS_UNAVAILABLE', `Could not enqueue step "${task.stepId}" on queue ${p.queue}: ${errorMessage(err)}. Check that Redis is up.`, { cause: err });
    } finally {
      span.end();
    }
  }

  private async readReplies(): Promise<void> {
    const key = this.keys.replies(this.runnerId);
    // BLMPOP (Redis 7) takes a burst in one round trip; older servers get BRPOP, then RPOP for the rest.
    let multiPop = true;
    while (!this.closed) {
      try {
        if (multiPop) {
          const popped = await this.blocking.blmpop(1, 1, key, 'RIGHT', 'COUNT', 256).catch((err: unknown) => {
            if (!/unknown command/i.test(errorMessage(err))) throw err;
            multiPop = false;
            return null;
          });
          for (const r of popped?.[1] ?? []) this.onReply(r);
          // The next read waits for this turn's work: the tasks these replies released are
          // enqueued first, and the read's write is no longer on their critical path.
          if (popped) await yieldTurn();
          continue;
        }
        const first = await this.blocking.brpop(key, 1);
        if (!first) continue;
        this.onReply(first[1]);
        const rest = await this.blocking.rpop(key, 256);
        for (const r of rest ?? []) this.onReply(r);
        await yieldTurn();
      } catch (err) {
        if (this.closed) return;
        this.logger.debug({ err: errorMessage(err) }, 'reading replies failed; retrying');
        await sleep(100);
      }
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

  /** Reads the registry; lapsed workers leave routing at once and their tasks are re-routed. */
  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const snap = await readRegistry(this.redis, this.keys);
      const before = this.live;
      this.live = new Map(snap.live.map((r) => [r.id, r]));
      const newlyLapsed = snap.lapsed.filter((id) => !this.lapsed.has(id));
      if (newlyLapsed.length > 0) this.logger.warn({ workers: newlyLapsed }, 'worker heartbeat lapsed; removing it from routing');
      this.lapsed = new Set(snap.lapsed);
      await this.buryDead(snap.lapsed, snap.lastBeat);
      for (const p of this.pending.values()) {
        if (p.rerouting || p.queue !== this.keys.workerQueue(p.workerId)) continue;
        const w = this.live.get(p.workerId);
        if (!w) void this.reroute(p, `worker ${p.workerId} heartbeat lapsed`);
        else if (w.draining) void this.rerouteIfWaiting(p, `worker ${p.workerId} is draining`);
      }
      if (snap.live.some((r) => !r.draining && !before.has(r.id))) this.capacity();
      if (Date.now() - this.lastLostCheck >= this.lostJobCheckMs) {
        this.lastLostCheck = Date.now();
        void this.recoverLost(this.lostJobCheckMs);
      }
    } catch (err) {
      this.logger.debug({ err: errorMessage(err) }, 'registry poll failed');
    } finally {
      this.polling = false;
    }
  }

  /**
   * A lapsed worker stays listed (so every runner sees it lapse) until it has been silent for
   * deadWorkerMs; then it leaves the registry and its queue, whose tasks were re-routed long ago,
   * is deleted, so dead workers do not pile up in Redis and in `weft status`. A worker that comes
   * back with the same id later simply registers and gets a fresh queue; a job routed to it in the
   * moment of deletion is found missing by the lost-job check and enqueued again.
   */
  private async buryDead(lapsed: readonly string[], lastBeat: ReadonlyMap<string, number>): Promise<void> {
    const graceMs = this.options.deadWorkerMs ?? 60_000;
    const dead = lapsed.filter((id) => Date.now() - (lastBeat.get(id) ?? 0) >= graceMs);
    if (dead.length === 0) return;
    // ZREM decides which runner buries each worker: only the one that removed it deletes the queue.
    for (const id of dead) {
      if ((await this.redis.zrem(this.keys.workers, id)) === 0) continue;
      const name = this.keys.workerQueue(id);
      // Unlisted first: once its keys are gone, nothing (weft status) still names the queue.
      await this.redis.srem(this.keys.queues, name);
      await this.queue(name).obliterate({ force: true }).catch((err: unknown) => this.logger.warn({ queue: name, err: errorMessage(err) }, 'could not delete a dead worker\'s queue'));
      await this.queues.get(name)?.close().catch(() => {});
      this.queues.delete(name);
      this.logger.info({ worker: id, silentMs: Date.now() - (lastBeat.get(id) ?? 0) }, 'dead worker removed from the registry; its queue is deleted');
    }
  }

  private async rerouteIfWaiting(p: Pending, reason: string): Promise<void> {
    const state = await this.queue(p.queue).getJobState(p.jobId).catch(() => 'unknown');
    if (state === 'waiting' || state === 'prioritized' || state === 'delayed') await this.reroute(p, `${reason}; job still waiting`);
  }

  /**
   * Jobs Redis no longer has are enqueued again: after Redis came back empty, or a queue was
   * deleted under a task; so are jobs that finished without their reply reaching this runner.
   * `olderThanMs` limits the periodic check to tasks queued a while.
   */
  private async recoverLost(olderThanMs = 0): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const now = Date.now();
      for (const p of [...this.pending.values()]) {
        if (this.closed) return;
        if (p.rerouting || p.jobId === '' || now - p.enqueuedAt < olderThanMs) continue;
        const state = await this.queue(p.queue).getJobState(p.jobId).catch(() => 'error');
        if (!this.pending.has(p.requestId) || p.rerouting) continue;
        if (state === 'unknown') await this.reroute(p, 'job lost from redis');
        // Finished long ago and never answered: the reply was lost. Again: the idempotency record
        // answers if the task completed, else it runs again (at least once).
        else if ((state === 'completed' || state === 'failed') && olderThanMs > 0) await this.reroute(p, `job ${state} but its reply was lost`);
      }
    } finally {
      this.sweeping = false;
    }
  }

  private async reroute(p: Pending, reason: string): Promise<void> {
    p.rerouting = true;
    const from = p.workerId;
    try {
      await this.queue(p.queue).remove(p.jobId).catch(() => 0);
      const { task, signal, traceContext } = p.req;
      const { target, candidates, decidedBy } = await this.pickLive(p, signal);
      if (!this.pending.has(p.requestId)) return;
      this.telemetry.decision(SpanNames.DECISION_REROUTE, traceContext, {
        [Attr.TASK_ID]: task.id,
        [Attr.TASK_TYPE]: task.type,
        [Attr.TASK_ATTEMPT]: task.attempt,
        [Attr.DECISION_STRATEGY]: decidedBy,
        [Attr.DECISION_REASON]: reason,
        [Attr.DECISION_CHOICE]: target,
        [Attr.DECISION_CANDIDATES]: candidates,
        [Attr.DECISION_CANDIDATE_COUNT]: candidates.length,
        [Attr.DECISION_FROM]: from,
      });
      this.logger.warn({ task: task.id, from, to: target, reason }, 're-routing task');
      this.store.decision({ at: new Date().toISOString(), kind: 'reroute', taskId: task.id, taskType: task.type, workerId: target, decidedBy, reason, candidates });
      this.count(from, -1);
      this.count(target, 1);
      // A live worker's id, or the name of the pool queue the task is parked in.
      const toWorker = this.live.has(target);
      p.workerId = target;
      p.queue = toWorker ? this.keys.workerQueue(target) : target;
      this.moved?.(task, from, toWorker ? target : undefined);
      await this.enqueue(p);
    } catch (err) {
      p.settle(false, err);
    } finally {
      p.rerouting = false;
    }
  }

  /**
   * A live capable worker with the task's handler, chosen by the engine's guards and the task's
   * strategy (least in flight without an engine), waiting for one if needed; else a pool queue.
   */
  private async pickLive(p: Pending, signal: AbortSignal): Promise<{ target: string; candidates: string[]; decidedBy: string }> {
    const { task } = p.req;
    const deadline = Date.now() + (this.options.rerouteWaitMs ?? 30_000);
    for (;;) {
      const views = this.workers().filter((w) => workerAccepts(w, task.capabilities) && (this.live.get(w.id)?.taskTypes.includes(task.type) ?? false));
      if (views.length > 0) {
        const candidates = views.map((v) => v.id);
        if (this.reselect) {
          try {
            const choice = this.reselect(task, views);
            return { target: choice.workerId, candidates, decidedBy: choice.decidedBy };
          } catch (err) {
            // A strategy that throws must not lose the task: least in flight takes it.
            this.logger.warn({ task: task.id, err: errorMessage(err) }, 're-route strategy failed; choosing the least busy worker');
          }
        }
        const choice = this.picker.select(task, views, { random: () => 0 });
        return { target: choice.workerId, candidates, decidedBy: this.picker.name };
      }
      if (Date.now() >= deadline || this.closed) break;
      await sleep(this.pollMs, signal);
    }
    if (task.capabilities.length <= 1) {
      // Nobody can take it now: park it where any future capable worker will look.
      return { target: this.keys.poolQueue(task.capabilities[0]), candidates: [], decidedBy: 'pool' };
    }
    throw new WeftError('WEFT_WORKER_LOST', `Step "${task.stepId}" lost its worker ${p.workerId} and no live worker offers [${task.capabilities.join(', ')}] with a "${task.type}" handler. Start such a worker.`, {
      details: { stepId: task.stepId, workerId: p.workerId },
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const p of [...this.pending.values()]) p.settle(false, new WeftError('WEFT_ENGINE_CLOSED', 'The engine closed while the task was queued.', { retryable: false }));
    await this.started.catch(() => {});
    await this.store.flush();
    this.blocking.disconnect();
    await this.replies;
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => {})));
    await this.queueConnection.quit().catch(() => this.queueConnection.disconnect());
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
