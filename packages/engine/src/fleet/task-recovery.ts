/**
 * The runner's recovery unit: re-routes every task whose worker lapsed, is draining with the job
 * still waiting, or whose job Redis lost (or finished without its reply reaching the runner).
 */
import { workerAccepts, type WorkerView } from '../contracts/worker.js';
import { DefaultLeastInFlight } from '../dispatch/least-in-flight.js';
import type { Reselect } from '../executors/executor-deps.js';
import { WeftError, errorMessage } from '../errors.js';
import type { TaskDescriptor } from '../contracts/task.js';
import type { Logger } from '../logging/logger.js';
import { Attr, SpanNames } from '../tracing/attributes.js';
import type { Telemetry } from '../tracing/telemetry.js';
import { sleep } from '../util/abort.js';
import type { FleetKeys } from './fleet-keys.js';
import type { PendingTask } from './pending-task.js';
import type { QueueSet } from './queue-set.js';
import type { RegistryWatcher } from './registry-watcher.js';
import type { RunStore } from './run-store.js';

export interface TaskRecoveryDeps {
  readonly pending: ReadonlyMap<string, PendingTask>;
  readonly queues: QueueSet;
  readonly registry: RegistryWatcher;
  readonly keys: FleetKeys;
  readonly telemetry: Telemetry;
  readonly logger: Logger;
  readonly store: RunStore;
  /** The engine's guards and strategy for re-routes; least in flight without an engine. */
  readonly reselect: Reselect | undefined;
  readonly moved: ((task: TaskDescriptor, from: string, to: string | undefined) => void) | undefined;
  /** Routable workers as the executor shows them (its own in-flight counts included). */
  workers(): readonly WorkerView[];
  /** Moves a task's in-flight count from one worker (or pool) to another. */
  count(workerId: string, delta: number): void;
  enqueue(p: PendingTask): Promise<void>;
  closed(): boolean;
}

export interface TaskRecoveryOptions {
  readonly pollMs: number;
  readonly rerouteWaitMs: number;
  readonly lostJobCheckMs: number;
}

export class TaskRecovery {
  private readonly picker = new DefaultLeastInFlight();
  private lastLostCheck = Date.now();
  private sweeping = false;

  constructor(
    private readonly deps: TaskRecoveryDeps,
    private readonly options: TaskRecoveryOptions,
  ) {}

  /** After each registry read: tasks of lapsed workers move, so do waiting jobs of draining ones. */
  afterPoll(): void {
    const { pending, registry, keys } = this.deps;
    for (const p of pending.values()) {
      if (p.rerouting || p.queue !== keys.workerQueue(p.workerId)) continue;
      const w = registry.live.get(p.workerId);
      if (!w) void this.reroute(p, `worker ${p.workerId} heartbeat lapsed`);
      else if (w.draining) void this.rerouteIfWaiting(p, `worker ${p.workerId} is draining`);
    }
    if (Date.now() - this.lastLostCheck >= this.options.lostJobCheckMs) {
      this.lastLostCheck = Date.now();
      void this.recoverLost(this.options.lostJobCheckMs);
    }
  }

  private async rerouteIfWaiting(p: PendingTask, reason: string): Promise<void> {
    const state = await this.deps.queues
      .get(p.queue)
      .getJobState(p.jobId)
      .catch(() => 'unknown');
    if (state === 'waiting' || state === 'prioritized' || state === 'delayed') await this.reroute(p, `${reason}; job still waiting`);
  }

  /**
   * Jobs Redis no longer has are enqueued again: after Redis came back empty, or a queue was
   * deleted under a task; so are jobs that finished without their reply reaching this runner.
   * `olderThanMs` limits the periodic check to tasks queued a while.
   */
  async recoverLost(olderThanMs = 0): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const now = Date.now();
      for (const p of [...this.deps.pending.values()]) {
        if (this.deps.closed()) return;
        if (p.rerouting || p.jobId === '' || now - p.enqueuedAt < olderThanMs) continue;
        const state = await this.deps.queues
          .get(p.queue)
          .getJobState(p.jobId)
          .catch(() => 'error');
        if (!this.deps.pending.has(p.requestId) || p.rerouting) continue;
        if (state === 'unknown') await this.reroute(p, 'job lost from redis');
        // Finished long ago and never answered: the reply was lost. Again: the idempotency record
        // answers if the task completed, else it runs again (at least once).
        else if ((state === 'completed' || state === 'failed') && olderThanMs > 0) await this.reroute(p, `job ${state} but its reply was lost`);
      }
    } finally {
      this.sweeping = false;
    }
  }

  private async reroute(p: PendingTask, reason: string): Promise<void> {
    const { deps } = this;
    p.rerouting = true;
    const from = p.workerId;
    try {
      await deps.queues
        .get(p.queue)
        .remove(p.jobId)
        .catch(() => 0);
      const { task, signal, traceContext } = p.req;
      const { target, candidates, decidedBy } = await this.pickLive(p, signal);
      if (!deps.pending.has(p.requestId)) return;
      deps.telemetry.decision(SpanNames.DECISION_REROUTE, traceContext, {
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
      deps.logger.warn({ task: task.id, from, to: target, reason }, 're-routing task');
      deps.store.decision({
        at: new Date().toISOString(),
        kind: 'reroute',
        taskId: task.id,
        taskType: task.type,
        workerId: target,
        decidedBy,
        reason,
        candidates,
      });
      deps.count(from, -1);
      deps.count(target, 1);
      // A live worker's id, or the name of the pool queue the task is parked in.
      const toWorker = deps.registry.live.has(target);
      p.workerId = target;
      p.queue = toWorker ? deps.keys.workerQueue(target) : target;
      deps.moved?.(task, from, toWorker ? target : undefined);
      await deps.enqueue(p);
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
  private async pickLive(p: PendingTask, signal: AbortSignal): Promise<{ target: string; candidates: string[]; decidedBy: string }> {
    const { task } = p.req;
    const { deps } = this;
    const deadline = Date.now() + this.options.rerouteWaitMs;
    for (;;) {
      const views = deps.workers().filter((w) => workerAccepts(w, task.capabilities) && (deps.registry.live.get(w.id)?.taskTypes.includes(task.type) ?? false));
      if (views.length > 0) {
        const candidates = views.map((v) => v.id);
        if (deps.reselect) {
          try {
            const choice = deps.reselect(task, views);
            return { target: choice.workerId, candidates, decidedBy: choice.decidedBy };
          } catch (err) {
            // A strategy that throws must not lose the task: least in flight takes it.
            deps.logger.warn({ task: task.id, err: errorMessage(err) }, 're-route strategy failed; choosing the least busy worker');
          }
        }
        const choice = this.picker.select(task, views, { random: () => 0 });
        return { target: choice.workerId, candidates, decidedBy: this.picker.name };
      }
      if (Date.now() >= deadline || deps.closed()) break;
      await sleep(this.options.pollMs, signal);
    }
    if (task.capabilities.length <= 1) {
      // Nobody can take it now: park it where any future capable worker will look.
      return { target: deps.keys.poolQueue(task.capabilities[0]), candidates: [], decidedBy: 'pool' };
    }
    throw new WeftError(
      'WEFT_WORKER_LOST',
      `Step "${task.stepId}" lost its worker ${p.workerId} and no live worker offers [${task.capabilities.join(', ')}] with a "${task.type}" handler. Start such a worker.`,
      {
        details: { stepId: task.stepId, workerId: p.workerId },
      },
    );
  }
}
