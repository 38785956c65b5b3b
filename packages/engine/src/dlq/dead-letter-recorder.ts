/**
 * Turns tasks that fail for good into dead letters: it hears every failed attempt (the `task:error`
 * hook), keeps each task's attempts until the task ends, and stores the entry when no retry follows.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import type { TaskErrorEvent } from '../contracts/hooks.js';
import { WeftError, errorMessage } from '../errors.js';
import type { HookRegistry } from '../hooks/hook-registry.js';
import type { Logger } from '../logging/logger.js';
import { Attr, SpanNames } from '../tracing/attributes.js';
import type { Telemetry } from '../tracing/telemetry.js';
import { originStack } from '../util/error-stack.js';
import { boundedInput, deadLetterId, type DeadAttempt, type DeadLetter, type DeadLetterRetention, type DeadLetterStore } from './dead-letter.js';

/** Tasks whose attempts are followed at once; past this the oldest is forgotten (a bound, not a normal case). */
const MAX_TRACKED_TASKS = 10_000;

export interface DeadLetterRecorderDeps {
  readonly hooks: HookRegistry;
  readonly telemetry: Telemetry;
  readonly logger: Logger;
  /** Resolved per entry: a runtime's plugin (the fleet's) may replace the store while loading. */
  readonly store: () => DeadLetterStore;
  readonly retention: DeadLetterRetention;
}

export function recordDeadLetters(deps: DeadLetterRecorderDeps): void {
  const owner = '@weft/engine';
  const attempts = new Map<string, DeadAttempt[]>();
  const pipelines = new Map<string, string>();
  deps.hooks.on('pipeline:start', (e) => void pipelines.set(e.runId, e.pipeline), owner);
  deps.hooks.on('pipeline:end', (e) => void pipelines.delete(e.runId), owner);
  deps.hooks.on('task:after', (e) => void attempts.delete(e.task.id), owner);
  deps.hooks.on(
    'task:error',
    async (e) => {
      const id = e.task.id;
      if (e.cancelled) {
        attempts.delete(id);
        return;
      }
      const list = attempts.get(id) ?? [];
      list.push({
        attempt: e.task.attempt,
        workerId: e.workerId,
        durationMs: Math.round(e.durationMs),
        error: errorMessage(e.error).slice(0, 1000),
        at: new Date().toISOString(),
      });
      attempts.delete(id);
      if (e.willRetry) {
        attempts.set(id, list);
        if (attempts.size > MAX_TRACKED_TASKS) attempts.delete(attempts.keys().next().value!);
        return;
      }
      await addEntry(deps, e, list, pipelines.get(e.task.runId) ?? '');
    },
    owner,
  );
}

async function addEntry(deps: DeadLetterRecorderDeps, e: TaskErrorEvent, attempts: readonly DeadAttempt[], pipeline: string): Promise<void> {
  const { task } = e;
  const store = deps.store();
  const previous = await store.get(deadLetterId(task.id)).catch(() => undefined);
  const stack = originStack(e.error)?.slice(0, deps.retention.maxStackChars);
  const entry: DeadLetter = {
    id: deadLetterId(task.id),
    runId: task.runId,
    pipeline,
    stepId: task.stepId,
    ...(task.itemIndex === undefined ? {} : { itemIndex: task.itemIndex }),
    taskType: task.type,
    ...boundedInput(task.input, deps.retention.maxInputBytes),
    error: {
      code:
        e.error instanceof WeftError
          ? (e.error.code as string)
          : (((e.error as { code?: unknown } | undefined)?.code as string | undefined) ?? 'WEFT_TASK_FAILED'),
      message: errorMessage(e.error),
      ...(stack ? { stack } : {}),
    },
    // A task that dies again (a replay of its run) keeps its earlier attempts.
    attempts: [...(previous?.attempts ?? []), ...attempts],
    at: new Date().toISOString(),
    ...(previous ? { replays: (previous.replays ?? 0) + 1 } : {}),
  };
  const { span } = deps.telemetry.start(SpanNames.DLQ_ADD, undefined, {
    attributes: {
      [Attr.DLQ_ENTRY]: entry.id,
      [Attr.RUN_ID]: task.runId,
      [Attr.STEP_ID]: task.stepId,
      [Attr.TASK_TYPE]: task.type,
      [Attr.TASK_ATTEMPT]: task.attempt,
      [Attr.ERROR_TYPE]: entry.error.code,
    },
  });
  try {
    await store.add(entry);
    deps.telemetry.metrics.deadLettered(task.type);
    span.setStatus({ code: SpanStatusCode.OK });
  } catch (err) {
    // The run's outcome stands; only the dead letter is lost, and that is said.
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
    deps.logger.warn({ err: errorMessage(err), task: task.id }, 'could not store a dead letter');
  } finally {
    span.end();
  }
}
