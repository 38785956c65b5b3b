/** After a failed attempt: whether and when to retry, told to tracing, hooks and the run's events. */
import type { Context } from '@opentelemetry/api';
import type { TaskDescriptor } from '../contracts/task.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import { WeftError, isRetryable } from '../errors.js';
import type { HandlerRegistry } from '../handlers/handler-registry.js';
import type { HookRegistry } from '../hooks/hook-registry.js';
import type { Logger } from '../logging/logger.js';
import type { RetryPolicy, StepDefinition } from '../pipeline/pipeline-types.js';
import { Attr, SpanNames } from '../tracing/attributes.js';
import type { Telemetry } from '../tracing/telemetry.js';
import { backoffDelay } from './backoff.js';
import type { RunEvent } from './run-types.js';

export interface RetryDeps {
  readonly handlers: HandlerRegistry;
  readonly hooks: HookRegistry;
  readonly dispatcher: Dispatcher;
  readonly telemetry: Telemetry;
  readonly logger: Logger;
  readonly random: () => number;
}

export function retryPolicy(deps: Pick<RetryDeps, 'handlers'>, step: StepDefinition): RetryPolicy {
  const r = step.retries ?? deps.handlers.get(step.task)?.options.retries ?? 0;
  return typeof r === 'number' ? { attempts: r } : r;
}

export interface FailedAttempt {
  readonly step: StepDefinition;
  readonly task: TaskDescriptor;
  readonly stepCtx: Context;
  readonly workerId: string;
  readonly policy: RetryPolicy;
  readonly started: number;
}

/** Records a failed attempt; returns the delay before the next one, or rethrows when there is none. */
export async function onTaskError(deps: RetryDeps, emit: (e: RunEvent) => void, a: FailedAttempt, err: unknown): Promise<number> {
  const { step, task } = a;
  const error = err instanceof Error ? err : new Error(String(err));
  const retryable = isRetryable(err);
  const willRetry = retryable && task.attempt <= a.policy.attempts;
  const delayMs = willRetry ? backoffDelay(a.policy.backoff, task.attempt, deps.random) : 0;
  deps.telemetry.decision(SpanNames.DECISION_RETRY, a.stepCtx, {
    [Attr.TASK_ID]: task.id,
    [Attr.STEP_ID]: step.id,
    [Attr.RETRY_ATTEMPT]: task.attempt,
    [Attr.RETRY_WILL_RETRY]: willRetry,
    [Attr.RETRY_DELAY_MS]: delayMs,
    [Attr.DECISION_CHOICE]: willRetry ? 'retry' : 'give-up',
    [Attr.DECISION_REASON]: !retryable
      ? `not retryable: ${error.message}`
      : willRetry
        ? error.message
        : `attempts exhausted (${task.attempt}): ${error.message}`,
    [Attr.ERROR_TYPE]: err instanceof WeftError ? (err.code as string) : error.name,
  });
  await deps.hooks.emit('task:error', {
    task,
    workerId: a.workerId,
    ok: false,
    durationMs: performance.now() - a.started,
    error,
    shortCircuited: false,
    willRetry,
  });
  deps.dispatcher.capacityChanged();
  if (!willRetry) throw err;
  emit({ type: 'task:retry', stepId: step.id, attempt: task.attempt, delayMs, error: error.message });
  deps.logger.debug({ step: step.id, attempt: task.attempt, delayMs, err: error.message }, 'retrying task');
  return delayMs;
}
