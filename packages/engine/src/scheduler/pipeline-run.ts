/**
 * One run of a pipeline: releases steps as their dependencies finish, runs them in parallel up
 * to a limit (forEach items included), applies conditions, cache, routing, retries and
 * timeouts, and ends with a RunResult or a PipelineRunError naming each failed step.
 */
import { resolveLimit } from '../limits/resolve-limit.js';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { SpanStatusCode, type Context } from '@opentelemetry/api';
import type { ResultCache } from '../contracts/cache.js';
import type { TaskDescriptor } from '../contracts/task.js';
import { WeftError, errorMessage } from '../errors.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { Executor } from '../executors/executor.js';
import type { HandlerRegistry } from '../handlers/handler-registry.js';
import type { HookRegistry } from '../hooks/hook-registry.js';
import type { Logger } from '../logging/logger.js';
import { evaluateCondition } from '../pipeline/condition.js';
import type { PipelineDefinition, StepDefinition } from '../pipeline/pipeline-types.js';
import { resolveExpr, type RefScope } from '../pipeline/refs.js';
import { Attr, SpanNames } from '../tracing/attributes.js';
import { failSpan, type Telemetry } from '../tracing/telemetry.js';
import { sleep } from '../util/abort.js';
import { allItems } from './fan-out.js';
import { retryPolicy, onTaskError } from './retry-decision.js';
import { PipelineRunError } from './run-error.js';
import { runResult } from './run-result.js';
import type { RunJournal, RunJournals } from './run-journal.js';
import type { RunEvent, RunOptions, RunResult, StepReport } from './run-types.js';
import { Semaphore } from './semaphore.js';
import { queuePlacement } from '../pipeline/queue-order.js';
import { answerTask, cacheFor, storeAnswer } from './task-answers.js';

export interface RunDeps {
  readonly handlers: HandlerRegistry;
  readonly hooks: HookRegistry;
  readonly dispatcher: Dispatcher;
  readonly executor: Executor;
  readonly telemetry: Telemetry;
  readonly logger: Logger;
  /** The loaded result cache; undefined when none is (then nothing is looked up or stored). */
  readonly cache: () => ResultCache | undefined;
  readonly random: () => number;
  /** Where the run keeps its progress outside this process (a fleet), if anywhere. */
  readonly journals?: RunJournals;
  /** Engine-wide signal: aborts on close(). */
  readonly engineSignal: AbortSignal;
}

const DEFAULT_MAX_PARALLEL = 16;

export class PipelineRun {
  readonly runId: string;
  private readonly controller = new AbortController();
  private readonly reports: Record<string, StepReport> = {};
  private readonly outputs: Record<string, unknown> = {};
  private readonly semaphore: Semaphore;
  private readonly emit: (e: RunEvent) => void;
  private firstFailure: unknown;
  private journal: RunJournal | undefined;
  /** The abort reason when the engine closed under the run. */
  private engineClosed: unknown;

  constructor(
    private readonly deps: RunDeps,
    private readonly pipeline: PipelineDefinition,
    private readonly input: unknown,
    private readonly options: RunOptions = {},
  ) {
    this.runId = options.runId ?? randomUUID();
    this.semaphore = new Semaphore(pipeline.maxParallel ?? DEFAULT_MAX_PARALLEL, this.controller.signal);
    // Every running task listens to the run's signal (its handler's signal follows it): one
    // listener per task in flight, bounded by maxParallel, so Node's leak warning at 10 is wrong here.
    setMaxListeners(0, this.controller.signal);
    this.emit = options.onEvent ?? (() => {});
    for (const s of pipeline.steps) this.reports[s.id] = { status: 'pending', attempts: 0, durationMs: 0, workers: [], answered: 0 };
  }

  async execute(): Promise<RunResult> {
    const started = performance.now();
    const { span, ctx } = this.deps.telemetry.start(SpanNames.PIPELINE_RUN, undefined, {
      attributes: { [Attr.PIPELINE_NAME]: this.pipeline.name, [Attr.RUN_ID]: this.runId, [Attr.RUNTIME]: this.deps.executor.kind },
    });
    const abortFrom = (signal: AbortSignal | undefined, reason: () => unknown): (() => void) => {
      if (!signal) return () => {};
      const on = (): void => this.controller.abort(reason());
      if (signal.aborted) on();
      else signal.addEventListener('abort', on, { once: true });
      return () => signal.removeEventListener('abort', on);
    };
    const cancelled = (why: string) => () =>
      new WeftError('WEFT_RUN_CANCELLED', `Run ${this.runId} of "${this.pipeline.name}" was cancelled (${why}).`, {
        retryable: false,
        details: { runId: this.runId },
      });
    const offUser = abortFrom(this.options.signal, cancelled('by its caller'));
    const offEngine = abortFrom(this.deps.engineSignal, () => (this.engineClosed = cancelled('engine closed')()));
    try {
      await this.openJournal();
    } catch (err) {
      // Not started (the run is unknown, or another process drives it): nothing to report but that.
      offUser();
      offEngine();
      failSpan(span, err);
      span.end();
      throw err;
    }
    const offJournal = abortFrom(this.journal?.signal, () => this.journal?.signal.reason);
    const ended = { runId: this.runId, pipeline: this.pipeline, input: this.input, outputs: this.outputs, reports: this.reports, started, span };
    let result: RunResult | undefined;
    try {
      this.emit({ type: 'run:start', runId: this.runId, steps: this.pipeline.steps.length, ...(this.options.resume ? { resumed: true } : {}) });
      await this.deps.hooks.emit('pipeline:start', { runId: this.runId, pipeline: this.pipeline.name, input: this.input });
      await this.schedule(ctx);
      const status =
        this.controller.signal.aborted && !this.firstFailure
          ? 'cancelled'
          : Object.values(this.reports).some((r) => r.status === 'failed')
            ? 'failed'
            : 'succeeded';
      result = runResult(ended, status);
    } catch (err) {
      result = runResult(ended, this.controller.signal.aborted ? 'cancelled' : 'failed');
      this.firstFailure ??= err;
    } finally {
      offUser();
      offEngine();
      offJournal();
    }
    // Recorded before anyone hears of the end: a process that ends with the run loses nothing. A
    // run stopped only because this engine closed is not over: another process continues it.
    const handOff = this.deps.engineSignal.aborted && this.controller.signal.reason === this.engineClosed;
    await (handOff ? this.journal?.release() : this.journal?.end(result))?.catch((err: unknown) =>
      this.deps.logger.warn({ err: errorMessage(err), run: this.runId }, 'could not record the end of the run'),
    );
    span.setAttribute(Attr.RUN_STATUS, result.status);
    const error = result.status === 'succeeded' ? undefined : new PipelineRunError(result, this.firstFailure);
    if (error) failSpan(span, error);
    else span.setStatus({ code: SpanStatusCode.OK });
    span.end();
    await this.deps.hooks.emit('pipeline:end', {
      runId: this.runId,
      pipeline: this.pipeline.name,
      status: result.status,
      durationMs: result.durationMs,
      ...(error ? { error } : {}),
    });
    this.emit({ type: 'run:end', result });
    if (error) throw error;
    return result;
  }

  /** Opens the run's journal (a fleet's), restoring the steps an earlier process finished. */
  private async openJournal(): Promise<void> {
    if (!this.deps.journals) return;
    this.journal = await this.deps.journals.open({
      runId: this.runId,
      pipeline: this.pipeline,
      input: this.input,
      resume: this.options.resume === true,
      reopen: this.options.reopen === true,
    });
    for (const [stepId, { report, output }] of this.journal.restored) {
      if (!(stepId in this.reports)) continue;
      this.reports[stepId] = { ...report, workers: [...report.workers] };
      if (report.status === 'succeeded') this.outputs[stepId] = output;
    }
  }

  private scope(extra: Partial<RefScope> = {}): RefScope {
    return { input: this.input, steps: this.outputs, ...extra };
  }

  /**
   * Starts each step as soon as its dependencies are done; resolves when nothing more can run.
   * Each finished step releases only its own dependents (a count per step), so a run costs time
   * linear in its steps: rescanning every step after each finish made a 10,000-step chain take
   * half a minute.
   */
  private schedule(runCtx: Context): Promise<void> {
    const steps = this.pipeline.steps;
    const indexOf = new Map(steps.map((s, i) => [s.id, i]));
    const waitingOn = steps.map((s) => (s.dependsOn ?? []).length);
    const dependents: number[][] = steps.map(() => []);
    steps.forEach((s, i) => {
      for (const d of s.dependsOn ?? []) dependents[indexOf.get(d)!]!.push(i);
    });
    let running = 0;
    return new Promise<void>((resolve) => {
      const release = (i: number, into: number[]): void => {
        for (const t of dependents[i]!) if (--waitingOn[t]! === 0) into.push(t);
      };
      // A batch is a queue, not recursion: a skipped step releases its dependents into the same
      // batch. Steps ready together start in document order.
      const start = (batch: number[]): void => {
        batch.sort((x, y) => x - y);
        for (let k = 0; k < batch.length; k++) {
          const i = batch[k]!;
          const step = steps[i]!;
          const report = this.reports[step.id]!;
          if (report.status !== 'pending') {
            // Ended before this run began (restored from a stored run it resumes): its dependents may be ready.
            if (report.status !== 'running') release(i, batch);
            continue;
          }
          const blocked = (step.dependsOn ?? []).find((d) => this.reports[d]!.status !== 'succeeded');
          if (blocked !== undefined) {
            const st = this.reports[blocked]!.status;
            this.finishStep(step, st === 'skipped' ? 'skipped' : 'cancelled', `dependency "${blocked}" ${st}`);
            release(i, batch);
            continue;
          }
          if (this.controller.signal.aborted) {
            this.finishStep(step, 'cancelled', this.firstFailure ? 'run failed (fail-fast)' : 'run cancelled');
            release(i, batch);
            continue;
          }
          report.status = 'running';
          running++;
          void this.runStep(step, runCtx).finally(() => {
            running--;
            const next: number[] = [];
            release(i, next);
            start(next);
          });
        }
        if (running === 0) resolve();
      };
      start(steps.flatMap((_, i) => (waitingOn[i] === 0 ? [i] : [])));
    });
  }

  private finishStep(step: StepDefinition, status: StepReport['status'], reason?: string): void {
    const r = this.reports[step.id]!;
    r.status = status;
    if (reason) r.reason = reason;
    this.stepEnded(step.id, r);
  }

  private stepEnded(stepId: string, report: StepReport): void {
    this.journal?.stepEnded(stepId, report, this.outputs[stepId]);
    this.emit({ type: 'step:end', stepId, report: { ...report } });
  }

  private async runStep(step: StepDefinition, runCtx: Context): Promise<void> {
    const report = this.reports[step.id]!;
    const started = performance.now();
    const { span, ctx } = this.deps.telemetry.start(SpanNames.STEP, runCtx, {
      attributes: { [Attr.STEP_ID]: step.id, [Attr.TASK_TYPE]: step.task, [Attr.RUN_ID]: this.runId },
    });
    this.emit({ type: 'step:start', stepId: step.id });
    try {
      if (step.when && !evaluateCondition(step.when, this.scope())) {
        this.deps.telemetry.decision(SpanNames.DECISION_SKIP, ctx, {
          [Attr.STEP_ID]: step.id,
          [Attr.DECISION_CHOICE]: 'skip',
          [Attr.DECISION_REASON]: `condition false: ${JSON.stringify(step.when)}`,
        });
        report.reason = 'condition false';
        report.status = 'skipped';
        span.setAttribute(Attr.STEP_STATUS, 'skipped');
        return;
      }
      let output: unknown;
      if (step.forEach !== undefined) {
        const items = resolveExpr(step.forEach, this.scope(), `steps.${step.id}.forEach`);
        if (!Array.isArray(items)) {
          throw new WeftError('WEFT_REFERENCE_UNRESOLVED', `Step "${step.id}": forEach must resolve to an array, got ${typeof items}. Point it at a list.`, {
            retryable: false,
          });
        }
        report.items = items.length;
        span.setAttribute(Attr.STEP_ITEMS, items.length);
        this.emit({ type: 'step:items', stepId: step.id, items: items.length });
        output = await allItems(items.length, this.pipeline.maxParallel ?? DEFAULT_MAX_PARALLEL, (index) =>
          this.runTask(step, ctx, this.scope({ item: items[index], index }), index).then(
            (out) => (this.emit({ type: 'item:end', stepId: step.id, index, ok: true }), out),
            (err: unknown) => {
              this.emit({ type: 'item:end', stepId: step.id, index, ok: false });
              throw err;
            },
          ),
        );
      } else {
        output = await this.runTask(step, ctx, this.scope());
      }
      this.outputs[step.id] = output;
      report.status = 'succeeded';
      span.setAttribute(Attr.STEP_STATUS, 'succeeded');
      span.setStatus({ code: SpanStatusCode.OK });
    } catch (err) {
      const cancelledByRun = this.controller.signal.aborted && err === this.controller.signal.reason;
      report.status = cancelledByRun ? 'cancelled' : 'failed';
      if (cancelledByRun) report.reason = errorMessage(err);
      else {
        report.error = { code: err instanceof WeftError ? (err.code as string) : 'WEFT_TASK_FAILED', message: errorMessage(err) };
        this.firstFailure ??= err;
        if ((this.pipeline.onFailure ?? 'fail-fast') === 'fail-fast') this.controller.abort(err);
      }
      span.setAttribute(Attr.STEP_STATUS, report.status);
      failSpan(span, err);
    } finally {
      report.durationMs = performance.now() - started;
      span.end();
      this.stepEnded(step.id, report);
    }
  }

  /** One task with its retries: cache, hooks, route, execute; resolves with its output. */
  private async runTask(step: StepDefinition, stepCtx: Context, scope: RefScope, itemIndex?: number): Promise<unknown> {
    const taskKey = itemIndex === undefined ? step.id : `${step.id}[${itemIndex}]`;
    const report = this.reports[step.id]!;
    const handler = this.deps.handlers.require(step.task);
    const input = resolveExpr(step.input ?? null, scope, `steps.${step.id}.input`);
    const key = step.key === undefined ? undefined : String(resolveExpr(step.key, scope, `steps.${step.id}.key`));
    const policy = retryPolicy(this.deps, step);
    const timeoutMs = step.timeoutMs ?? handler.options.timeoutMs;
    const signal = this.controller.signal;
    const strategy = step.strategy ?? this.pipeline.strategy;
    const limit = resolveLimit(step, handler.options, scope, input);
    const handlerCaps = handler.options.capabilities;
    const capabilities = [...new Set([...(typeof handlerCaps === 'function' ? handlerCaps(input) : (handlerCaps ?? [])), ...(step.capabilities ?? [])])];
    // The worker that failed the previous attempt: a retry goes elsewhere when it can.
    let failedOn: string | undefined;
    for (let attempt = 1; ; attempt++) {
      const task: TaskDescriptor = {
        id: `${this.runId}:${taskKey}`,
        runId: this.runId,
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
        idempotencyKey: `${this.runId}:${taskKey}`,
        ...(strategy === undefined ? {} : { strategy }),
        ...(step.cache === false || handler.options.cacheable === false || handler.options.sideEffects === true ? { noCache: true } : {}),
        ...(handler.options.cache === undefined ? {} : { cachePolicy: handler.options.cache }),
        ...(limit === undefined ? {} : { limit }),
      };
      // Completed before a crash or a takeover: answered from its record, never run again.
      const recorded = attempt === 1 ? this.journal?.completed(task.idempotencyKey) : undefined;
      if (recorded) {
        report.recovered = (report.recovered ?? 0) + 1;
        return recorded.output;
      }
      await this.semaphore.acquire();
      let started = performance.now();
      let workerId = '';
      let retryDelayMs: number;
      try {
        if (signal.aborted) throw signal.reason;
        // Nothing can answer without a cache or a task:before hook: no lookup, and no await.
        const cache = cacheFor(this.deps, task);
        const answered = cache || this.deps.hooks.has('task:before') ? await answerTask(this.deps, task, stepCtx, cache, signal) : undefined;
        if (answered) {
          report.answered++;
          await this.deps.hooks.emit('task:after', {
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
        const decision = await this.deps.dispatcher.route(task, stepCtx, signal, failedOn);
        workerId = decision.workerId;
        report.workers.push(workerId);
        this.emit({ type: 'task:routed', stepId: step.id, workerId, decidedBy: decision.decidedBy });
        // Durations given to hooks (and so predictors) are of the execution, not of lookup and routing.
        started = performance.now();
        // execute() counts the task as in flight synchronously, before its first await.
        // The execution span (in a fleet, the job's) is a child of this task's route decision span.
        const execution = this.deps.executor.execute({
          task,
          workerId,
          signal,
          traceContext: decision.traceContext,
          // A fleet may re-route the task: outcomes then name the worker that ran it.
          onWorker: (id) => (workerId = id),
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
          ...queuePlacement(step, this.options.priority, attempt),
        });
        this.deps.dispatcher.handedOver(decision.workerId);
        const output = await execution;
        const durationMs = performance.now() - started;
        if (!task.noCache) await storeAnswer(this.deps, task, output);
        await this.deps.hooks.emit('task:after', { task, workerId, ok: true, durationMs, output, shortCircuited: false });
        this.deps.dispatcher.capacityChanged();
        return output;
      } catch (err) {
        // A task stopped because the run was cancelled (or failed fast) is cancelled, not failed;
        // hooks still hear of it, so whatever they reserved for the attempt is released.
        if (signal.aborted) {
          if (workerId) {
            const error = signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
            await this.deps.hooks
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
            this.deps.dispatcher.capacityChanged();
          }
          throw signal.reason;
        }
        failedOn = workerId || failedOn;
        retryDelayMs = await onTaskError(this.deps, this.emit, { step, task, stepCtx, workerId, policy, started }, err);
      } finally {
        this.semaphore.release();
      }
      await sleep(retryDelayMs, signal);
    }
  }
}
