/**
 * Runs one attempt of a task inside a worker (embedded slot or fleet process): input
 * validation, the timeout signal, the `weft.task.execute` span and the handler call.
 */
import { context as otelContext, SpanKind, SpanStatusCode, type Context, type SpanAttributes } from '@opentelemetry/api';
import type { TaskDescriptor } from '../contracts/task.js';
import { WeftError, errorMessage } from '../errors.js';
import type { RegisteredHandler } from '../contracts/handler.js';
import type { HandlerRegistry } from '../handlers/handler-registry.js';
import type { Isolation } from '../isolate/isolation.js';
import type { Logger } from '../logging/logger.js';
import { Attr, SpanNames } from '../tracing/attributes.js';
import { failSpan, type Telemetry } from '../tracing/telemetry.js';
import { abortPromise } from '../util/abort.js';
import { validateWith } from '../util/schema.js';

export interface RunTaskOptions {
  readonly handlers: HandlerRegistry;
  readonly telemetry: Telemetry;
  readonly logger: Logger;
  readonly task: TaskDescriptor;
  readonly workerId: string;
  readonly signal: AbortSignal;
  readonly timeoutMs?: number;
  readonly parent: Context;
  /** Extra attributes (messaging.* in fleet mode). */
  readonly attributes?: SpanAttributes;
  readonly spanKind?: SpanKind;
  /** When the task was handed over (epoch ms: a fleet job's enqueue time), for the queue-wait metric. */
  readonly queuedAt?: number;
  /** Runs handlers declared with `isolate`; without it they run in process. */
  readonly isolation?: Isolation;
}

/**
 * Runs the task; the result is a promise only when the handler (or its input schema) is
 * asynchronous. A synchronous handler's outcome is known before this returns, so a fleet worker
 * can send its reply ahead of anything else the event loop would do first.
 */
export function runTask(o: RunTaskOptions): unknown {
  const { task } = o;
  const { span, ctx: spanCtx } = o.telemetry.start(SpanNames.TASK_EXECUTE, o.parent, {
    kind: o.spanKind ?? SpanKind.INTERNAL,
    attributes: {
      [Attr.TASK_ID]: task.id,
      [Attr.TASK_TYPE]: task.type,
      [Attr.TASK_ATTEMPT]: task.attempt,
      [Attr.TASK_WORKER]: o.workerId,
      [Attr.RUN_ID]: task.runId,
      [Attr.STEP_ID]: task.stepId,
      [Attr.TASK_IDEMPOTENCY_KEY]: task.idempotencyKey,
      ...(task.limit ? { [Attr.LIMIT_KEY]: task.limit.key } : {}),
      ...o.attributes,
    },
  });
  const metrics = o.telemetry.metrics;
  const startedAt = performance.now();
  metrics.taskStarted(task.type, o.workerId, o.queuedAt);
  // Without a timeout the task's signal is the worker's own: no controller and listener per task.
  const controller = o.timeoutMs === undefined ? undefined : new AbortController();
  const onOuterAbort = (): void => controller?.abort(o.signal.reason);
  if (controller) {
    if (o.signal.aborted) onOuterAbort();
    else o.signal.addEventListener('abort', onOuterAbort, { once: true });
  }
  const signal = controller?.signal ?? o.signal;
  const timer =
    controller === undefined
      ? undefined
      : setTimeout(
          () =>
            controller.abort(
              new WeftError(
                'WEFT_TASK_TIMEOUT',
                `Task "${task.stepId}" (${task.type}) took longer than its ${o.timeoutMs} ms timeout on worker ${o.workerId}. Raise timeoutMs or make the handler faster.`,
                {
                  details: { stepId: task.stepId, timeoutMs: o.timeoutMs },
                },
              ),
            ),
          o.timeoutMs,
        );
  const done = (errorType?: string): void => {
    if (timer) clearTimeout(timer);
    if (controller) o.signal.removeEventListener('abort', onOuterAbort);
    metrics.taskEnded(task.type, o.workerId, performance.now() - startedAt, errorType);
    span.end();
  };
  const succeed = (output: unknown): unknown => {
    span.setAttribute(Attr.TASK_OUTCOME, 'success');
    span.setStatus({ code: SpanStatusCode.OK });
    done();
    return output;
  };
  const fail = (err: unknown): never => {
    const error =
      err instanceof WeftError || (err instanceof Error && (err as { retryable?: boolean }).retryable === false)
        ? err
        : new WeftError('WEFT_TASK_FAILED', `Task "${task.stepId}" (${task.type}) failed on worker ${o.workerId}: ${errorMessage(err)}`, {
            cause: err,
            details: { stepId: task.stepId, type: task.type },
          });
    span.setAttribute(Attr.TASK_OUTCOME, 'failure');
    failSpan(span, error);
    done(error instanceof WeftError ? (error.code as string) : error.name);
    throw error;
  };
  let logger: Logger | undefined;
  const context = {
    signal,
    span,
    task,
    workerId: o.workerId,
    // Made on first use: most handlers never log, and a child logger per task is not free.
    get logger(): Logger {
      return (logger ??= o.logger.child({ task: task.id, type: task.type, attempt: task.attempt, worker: o.workerId }));
    },
  };
  /** Calls the handler; an asynchronous one races the signal, since it cannot be cancelled. */
  const call = (handler: RegisteredHandler, input: unknown): unknown => {
    let result: unknown;
    try {
      if (signal.aborted) throw signal.reason;
      // In the execute span's context: spans the handler makes (an instrumented HTTP call, a
      // query) are its children, when the process registered a context manager (NodeSDK does).
      result =
        handler.options.isolate && o.isolation ? o.isolation.run(handler, input, context) : otelContext.with(spanCtx, handler.fn, undefined, input, context);
    } catch (err) {
      return fail(err);
    }
    if (!isThenable(result)) return succeed(result);
    const aborted = abortPromise(signal);
    return Promise.race([result, aborted.promise]).finally(aborted.dispose).then(succeed, fail);
  };
  let handler: RegisteredHandler;
  try {
    handler = o.handlers.require(task.type);
  } catch (err) {
    return fail(err);
  }
  const schema = handler.options.inputSchema;
  if (!schema) return call(handler, task.input);
  return validateWith(schema, task.input, 'input').then(
    (v) =>
      v.ok
        ? call(handler, v.value)
        : fail(
            new WeftError(
              'WEFT_INPUT_INVALID',
              `Step "${task.stepId}" gave task type "${task.type}" invalid input: ${v.issues.join('; ')}. Fix the step's input.`,
              {
                retryable: false,
                details: { stepId: task.stepId, type: task.type, issues: v.issues },
              },
            ),
          ),
    fail,
  );
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
