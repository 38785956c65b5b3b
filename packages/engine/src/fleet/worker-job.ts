/**
 * One validated job on a fleet worker: answered from the run's record when the task already
 * completed (a redelivery, a re-route, a resumed run), otherwise run through runTask with its
 * reply and idempotency record written together.
 */
import { SpanKind } from '@opentelemetry/api';
import { UnrecoverableError, type Job } from 'bullmq';
import type { TaskDescriptor } from '../contracts/task.js';
import { WeftError, errorMessage } from '../errors.js';
import { isThenable, runTask } from '../executors/task-runner.js';
import type { WorkerStatsTracker } from '../executors/worker-stats.js';
import type { HandlerRegistry } from '../handlers/handler-registry.js';
import type { Isolation } from '../isolate/isolation.js';
import type { Logger } from '../logging/logger.js';
import { Attr, SpanNames } from '../tracing/attributes.js';
import type { Telemetry } from '../tracing/telemetry.js';
import { withOutputJson } from '../util/json.js';
import type { FleetKeys } from './fleet-keys.js';
import type { JobPayload, TaskReply } from './job-payload.js';
import type { RedisClient } from './redis-connection.js';
import type { TaskRecord } from './reply-batcher.js';
import { serializeError } from './serialized-error.js';
import { extractTrace } from './trace-carrier.js';

/** Writes a serialised reply (and the idempotency record that goes with it) for a job of a queue. */
export type SendReply = (queue: string, replyTo: string, replyJson: string, done?: TaskRecord) => Promise<void>;

export interface WorkerJobDeps {
  workerId: string;
  handlers: HandlerRegistry;
  telemetry: Telemetry;
  logger: Logger;
  keys: FleetKeys;
  redis: RedisClient;
  tracker: WorkerStatsTracker;
  /** Sandboxes of handlers declared with `isolate`. */
  isolation: Isolation;
  /** The worker's own shutdown: a task it cuts short gets no failure reply. */
  shutdown: AbortSignal;
  send: SendReply;
}

/** A failed reply to a job, with the error serialised for the runner. */
export function failedReply(payload: Pick<JobPayload, 'requestId'>, job: Job, workerId: string, err: unknown, durationMs = 0): TaskReply {
  return { requestId: payload.requestId, jobId: String(job.id), workerId, ok: false, error: serializeError(err), durationMs };
}

/** OpenTelemetry messaging attributes of processing one job. */
export function messagingAttributes(job: Job, queue: string): Record<string, string> {
  return {
    [Attr.MESSAGING_SYSTEM]: 'bullmq',
    [Attr.MESSAGING_DESTINATION]: queue,
    [Attr.MESSAGING_OPERATION_TYPE]: 'process',
    [Attr.MESSAGING_OPERATION_NAME]: 'process',
    [Attr.MESSAGING_MESSAGE_ID]: String(job.id),
  };
}

export class WorkerJobRunner {
  constructor(private readonly deps: WorkerJobDeps) {}

  async run(job: Job, queue: string, payload: JobPayload, task: TaskDescriptor, signal: AbortSignal): Promise<unknown> {
    const resultsKey = this.deps.keys.runResults(task.runId);
    // A first delivery of a first route of a run not resumed cannot have run before; anything else
    // may have (a crash, a re-route, a stalled job, an earlier driver): then the run's record of the
    // task answers instead of the handler.
    const firstDelivery = payload.route === 1 && job.attemptsStarted <= 1 && job.stalledCounter === 0 && payload.recheck !== true;
    const previous = firstDelivery ? null : await this.deps.redis.hget(resultsKey, task.idempotencyKey);
    if (previous !== null) return this.answerFromRecord(job, queue, payload, task, previous);
    return this.execute(job, queue, payload, task, signal, resultsKey);
  }

  private async answerFromRecord(job: Job, queue: string, payload: JobPayload, task: TaskDescriptor, previous: string): Promise<unknown> {
    const { workerId } = this.deps;
    const output = (JSON.parse(previous) as { output?: unknown }).output;
    this.deps.logger.info({ task: task.id, jobId: job.id }, 'task already completed (idempotency key); not running it again');
    const { span } = this.deps.telemetry.start(SpanNames.TASK_EXECUTE, extractTrace(payload.trace), {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...messagingAttributes(job, queue),
        [Attr.TASK_ID]: task.id,
        [Attr.TASK_TYPE]: task.type,
        [Attr.TASK_ATTEMPT]: task.attempt,
        [Attr.TASK_WORKER]: workerId,
        [Attr.RUN_ID]: task.runId,
        [Attr.STEP_ID]: task.stepId,
        [Attr.TASK_IDEMPOTENCY_KEY]: task.idempotencyKey,
        [Attr.TASK_OUTCOME]: 'success',
        [Attr.TASK_DEDUPLICATED]: true,
      },
    });
    span.end();
    const reply: TaskReply = { requestId: payload.requestId, jobId: String(job.id), workerId, ok: true, output, deduplicated: true, durationMs: 0 };
    await this.deps.send(queue, payload.replyTo, JSON.stringify(reply));
    return { deduplicated: true };
  }

  private async execute(job: Job, queue: string, payload: JobPayload, task: TaskDescriptor, signal: AbortSignal, resultsKey: string): Promise<unknown> {
    const { workerId, tracker } = this.deps;
    const started = performance.now();
    tracker.started();
    let ok = false;
    let message: string | undefined;
    try {
      const result = runTask({
        handlers: this.deps.handlers,
        telemetry: this.deps.telemetry,
        logger: this.deps.logger,
        task,
        workerId,
        signal,
        parent: extractTrace(payload.trace),
        spanKind: SpanKind.CONSUMER,
        attributes: messagingAttributes(job, queue),
        queuedAt: job.timestamp,
        timeoutMs: payload.timeoutMs,
        isolation: this.deps.isolation,
      });
      const output = isThenable(result) ? await result : result;
      ok = true;
      const durationMs = performance.now() - started;
      // The output is serialised once, for both the idempotency record and the reply, which go
      // together: one transaction, never a reply without its record.
      const outputJson = JSON.stringify(output);
      const reply: TaskReply = { requestId: payload.requestId, jobId: String(job.id), workerId, ok: true, durationMs };
      await this.deps.send(queue, payload.replyTo, withOutputJson(JSON.stringify(reply), outputJson), [
        resultsKey,
        task.idempotencyKey,
        withOutputJson('{}', outputJson),
      ]);
      return null;
    } catch (err) {
      // The job's failed reason keeps the code, as the malformed-payload path does.
      message = err instanceof WeftError ? `${err.code}: ${err.message}` : errorMessage(err);
      // Cut short by our own shutdown: no failure reply, the runner re-routes the task when this
      // worker leaves the registry, so the step does not fail for the worker's sake.
      if (!this.deps.shutdown.aborted) {
        await this.deps.send(queue, payload.replyTo, JSON.stringify(failedReply(payload, job, workerId, err, performance.now() - started)));
      }
      // The runner decides about retries; BullMQ must not run the job again.
      throw new UnrecoverableError(message);
    } finally {
      tracker.finished(ok, performance.now() - started, message);
    }
  }
}
