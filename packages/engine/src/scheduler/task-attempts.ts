/**
 * One task of a step with its retries: answered from the run's record, the cache or a hook when
 * it can be, otherwise routed and executed; resolves with its output.
 */
import type { Context } from '@opentelemetry/api';
import type { TaskDescriptor } from '../contracts/task.js';
import type { PipelineDefinition, StepDefinition } from '../pipeline/pipeline-types.js';
import { queuePlacement } from '../pipeline/queue-order.js';
import { resolveExpr, type RefScope } from '../pipeline/refs.js';
import { resolveLimit } from '../limits/resolve-limit.js';
import { sleep } from '../util/abort.js';
import { retryPolicy, onTaskError } from './retry-decision.js';
import type { RunDeps } from './run-deps.js';
import type { RunJournal } from './run-journal.js';
import type { RunEvent, StepReport } from './run-types.js';
import type { Semaphore } from './semaphore.js';
import { answerTask, cacheFor, storeAnswer } from './task-answers.js';

/** The run a task belongs to, as its attempts see it. */
export interface TaskRunContext {
  readonly deps: RunDeps;
  readonly runId: string;
  readonly pipeline: PipelineDefinition;
  /** The run's priority (RunOptions.priority), which a step's own adds to. */
  readonly priority: number | undefined;
  /** The run's signal: cancelled, or failed fast. */
  readonly signal: AbortSignal;
  /** The run's parallelism limit, held by each attempt while it runs. */
  readonly semaphore: Semaphore;
  readonly journal: RunJournal | undefined;
  readonly emit: (e: RunEvent) => void;
}

export async function runTaskAttempts(
  run: TaskRunContext,
  step: StepDefinition,
  report: StepReport,
  stepCtx: Context,
  scope: RefScope,
  itemIndex?: number,
): Promise<unknown> {
  const { deps, runId, semaphore, emit } = run;
  const taskKey = itemIndex === undefined ? step.id : `${step.id}[${itemIndex}]`;
  const handler = deps.handlers.require(step.task);
  const input = resolveExpr(step.input ?? null, scope, `steps.${step.id}.input`);
  const key = step.key === undefined ? undefined : String(resolveExpr(step.key, scope, `steps.${step.id}.key`));
  const policy = retryPolicy(deps, step);
  const timeoutMs = step.timeoutMs ?? handler.options.timeoutMs;
  const signal = run.signal;
  const strategy = step.strategy ?? run.pipeline.strategy;
  const limit = resolveLimit(step, handler.options, scope, input);
  const handlerCaps = handler.options.capabilities;
  const capabilities = [...new Set([...(typeof handlerCaps === 'function' ? handlerCaps(input) : (handlerCaps ?? [])), ...(step.capabilities ?? [])])];
  // The worker that failed the previous attempt: a retry goes elsewhere when it can.
  let failedOn: string | undefined;
  for (let attempt = 1; ; attempt++) {
    const task: TaskDescriptor = {
      id: `${runId}:${taskKey}`,
      runId: runId,
      stepId: step.id,
      ...(itemIndex === undefined ? {} : { itemIndex }),
      type: step.task,
      input,
      capabilities,
      ...(key === undefined ? {} : { key }),
      tags: step.tags ?? [],
      sizeBytes: Buffer.byteLength(JSON.stringify(input) ?? ''),
      attempt,
      handlerVersion: handler.options.version ?? '1',
      idempotencyKey: `${runId}:${taskKey}`,
      ...(strategy === undefined ? {} : { strategy }),
      ...(step.cache === false || handler.options.cacheable === false || handler.options.sideEffects === true ? { noCache: true } : {}),
      ...(handler.options.cache === undefined ? {} : { cachePolicy: handler.options.cache }),
      ...(limit === undefined ? {} : { limit }),
    };
    // Completed before a crash or a takeover: answered from its record, never run again.
    const recorded = attempt === 1 ? run.journal?.completed(task.idempotencyKey) : undefined;
    if (recorded) {
      report.recovered = (report.recovered ?? 0) + 1;
      return recorded.output;
    }
    await semaphore.acquire();
    let started = performance.now();
    let workerId = '';
    let retryDelayMs: number;
    try {
      if (signal.aborted) throw signal.reason;
      // Nothing can answer without a cache or a task:before hook: no lookup, and no await.
      const cache = cacheFor(deps, task);
      const answered = cache || deps.hooks.has('task:before') ? await answerTask(deps, task, stepCtx, cache, signal) : undefined;
      if (answered) {
        report.answered++;
        await deps.hooks.emit('task:after', {
          task,
          workerId: answered.by,
          ok: true,
          durationMs: performance.now() - started,
          output: answered.output,
          shortCircuited: true,
        });
        return answered.output;
      }
      report.attempts++;
      const decision = await deps.dispatcher.route(task, stepCtx, signal, failedOn);
      workerId = decision.workerId;
      report.workers.push(workerId);
      emit({ type: 'task:routed', stepId: step.id, workerId, decidedBy: decision.decidedBy });
      // Durations given to hooks (and so predictors) are of the execution, not of lookup and routing.
      started = performance.now();
      // execute() counts the task as in flight synchronously, before its first await.
      // The execution span (in a fleet, the job's) is a child of this task's route decision span.
      const execution = deps.executor.execute({
        task,
        workerId,
        signal,
        traceContext: decision.traceContext,
        // A fleet may re-route the task: outcomes then name the worker that ran it.
        onWorker: (id) => (workerId = id),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...queuePlacement(step, run.priority, attempt),
      });
      deps.dispatcher.handedOver(decision.workerId);
      const output = await execution;
      const durationMs = performance.now() - started;
      if (!task.noCache) await storeAnswer(deps, task, output);
      await deps.hooks.emit('task:after', { task, workerId, ok: true, durationMs, output, shortCircuited: false });
      deps.dispatcher.capacityChanged();
      return output;
    } catch (err) {
      // A task stopped because the run was cancelled (or failed fast) is cancelled, not failed;
      // hooks still hear of it, so whatever they reserved for the attempt is released.
      if (signal.aborted) {
        if (workerId) {
          const error = signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
          await deps.hooks
            .emit('task:error', {
              task,
              workerId,
              ok: false,
              durationMs: performance.now() - started,
              error,
              shortCircuited: false,
              willRetry: false,
              cancelled: true,
            })
            .catch(() => {});
          deps.dispatcher.capacityChanged();
        }
        throw signal.reason;
      }
      failedOn = workerId || failedOn;
      retryDelayMs = await onTaskError(deps, emit, { step, task, stepCtx, workerId, policy, started }, err);
    } finally {
      semaphore.release();
    }
    await sleep(retryDelayMs, signal);
  }
}
