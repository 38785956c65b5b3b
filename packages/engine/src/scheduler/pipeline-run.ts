/**
 * One run of a pipeline: releases steps as their dependencies finish, runs them in parallel up
 * to a limit (forEach items included), applies conditions, cache, routing, retries and
 * timeouts, and ends with a RunResult or a PipelineRunError naming each failed step.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { ResultCache } from '../contracts/cache.js';
import type { TaskDescriptor } from '../contracts/task.js';
import { WeftError, errorMessage, isRetryable } from '../errors.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { Executor } from '../executors/executor.js';
import type { HandlerRegistry } from '../handlers/handler-registry.js';
import type { HookRegistry } from '../hooks/hook-registry.js';
import type { Logger } from '../logging/logger.js';
import { evaluateCondition } from '../pipeline/condition.js';
import type { PipelineDefinition, RetryPolicy, StepDefinition } from '../pipeline/pipeline-types.js';
import { resolveExpr, type RefScope } from '../pipeline/refs.js';
import { Attr, SpanNames } from '../tracing/attributes.js';
import { failSpan, type Telemetry } from '../tracing/telemetry.js';
import { sleep } from '../util/abort.js';
import { backoffDelay } from './backoff.js';
import { PipelineRunError } from './run-error.js';
import type { RunEvent, RunOptions, RunResult, StepReport } from './run-types.js';
import { Semaphore } from './semaphore.js';

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
      new WeftError('WEFT_RUN_CANCELLED', `Run ${this.runId} of "${this.pipeline.name}" was cancelled (${why}).`, { retryable: false, details: { runId: this.runId } });
    const offUser = abortFrom(this.options.signal, cancelled('by its caller'));
    const offEngine = abortFrom(this.deps.engineSignal, cancelled('engine closed'));
    this.emit({ type: 'run:start', runId: this.runId, steps: this.pipeline.steps.length });
    let result: RunResult | undefined;
    try {
      await this.deps.hooks.emit('pipeline:start', { runId: this.runId, pipeline: this.pipeline.name, input: this.input });
      await this.schedule(ctx);
      const status = this.controller.signal.aborted && !this.firstFailure ? 'cancelled' : Object.values(this.reports).some((r) => r.status === 'failed') ? 'failed' : 'succeeded';
      result = this.result(status, started, span);
    } catch (err) {
      result = this.result(this.controller.signal.aborted ? 'cancelled' : 'failed', started, span);
      this.firstFailure ??= err;
    } finally {
      offUser();
      offEngine();
    }
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

  private result(status: RunResult['status'], started: number, span: Span): RunResult {
    let output: unknown;
    if (status === 'succeeded') {
      output = this.pipeline.output !== undefined ? resolveExpr(this.pipeline.output, this.scope(), 'output') : this.leafOutputs();
    }
    const traceId = span.spanContext().traceId;
    return {
      runId: this.runId,
      pipeline: this.pipeline.name,
      status,
      output,
      outputs: { ...this.outputs },
      steps: structuredClone(this.reports),
      durationMs: performance.now() - started,
      ...(trace.isSpanContextValid(span.spanContext()) ? { traceId } : {}),
    };
  }

  private leafOutputs(): Record<string, unknown> {
    const used = new Set(this.pipeline.steps.flatMap((s) => s.dependsOn ?? []));
    const out: Record<string, unknown> = {};
    for (const s of this.pipeline.steps) if (!used.has(s.id) && s.id in this.outputs) out[s.id] = this.outputs[s.id];
    return out;
  }

  private scope(extra: Partial<RefScope> = {}): RefScope {
    return { input: this.input, steps: this.outputs, ...extra };
  }

  /** Starts each step as soon as its dependencies are done; resolves when nothing more can run. */
  private schedule(runCtx: Context): Promise<void> {
    const steps = this.pipeline.steps;
    const running = new Set<Promise<void>>();
    return new Promise<void>((resolve) => {
      const pump = (): void => {
        for (const step of steps) {
          const report = this.reports[step.id]!;
          if (report.status !== 'pending') continue;
          const deps = (step.dependsOn ?? []).map((d) => this.reports[d]!);
          if (deps.some((d) => d.status === 'pending' || d.status === 'running')) continue;
          const blocked = (step.dependsOn ?? []).find((d) => this.reports[d]!.status !== 'succeeded');
          if (blocked !== undefined) {
            const st = this.reports[blocked]!.status;
            this.finishStep(step, st === 'skipped' ? 'skipped' : 'cancelled', `dependency "${blocked}" ${st}`);
            continue;
          }
          if (this.controller.signal.aborted) {
            this.finishStep(step, 'cancelled', this.firstFailure ? 'run failed (fail-fast)' : 'run cancelled');
            continue;
          }
          report.status = 'running';
          const p = this.runStep(step, runCtx).finally(() => {
            running.delete(p);
            pump();
          });
          running.add(p);
        }
        if (running.size === 0) resolve();
      };
      pump();
    });
  }

  private finishStep(step: StepDefinition, status: StepReport['status'], reason?: string): void {
    const r = this.reports[step.id]!;
    r.status = status;
    if (reason) r.reason = reason;
    this.emit({ type: 'step:end', stepId: step.id, report: { ...r } });
  }

  private async runStep(step: StepDefinition, runCtx: Context): Promise<void> {
    const report = this.reports[step.id]!;
    const started = performance.now();
    const { span, ctx } = this.deps.telemetry.start(SpanNames.STEP, runCtx, { attributes: { [Attr.STEP_ID]: step.id, [Attr.TASK_TYPE]: step.task, [Attr.RUN_ID]: this.runId } });
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
          throw new WeftError('WEFT_REFERENCE_UNRESOLVED', `Step "${step.id}": forEach must resolve to an array, got ${typeof items}. Point it at a list.`, { retryable: false });
        }
        report.items = items.length;
        span.setAttribute(Attr.STEP_ITEMS, items.length);
        output = await this.allItems(items.length, (index) => this.runTask(step, ctx, this.scope({ item: items[index], index }), index));
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
      this.emit({ type: 'step:end', stepId: step.id, report: { ...report } });
    }
  }

  /**
   * All items, in order, failing at the first failure (the others see the run's abort only under
   * fail-fast). Items start as run slots allow, never all at once: a fan-out of 10,000 would
   * otherwise build 10,000 tasks and promises up front, and keep them alive long enough to cost
   * the garbage collector more than running them.
   */
  private allItems(count: number, run: (index: number) => Promise<unknown>): Promise<unknown[]> {
    const outputs = new Array<unknown>(count);
    if (count === 0) return Promise.resolve(outputs);
    const lanes = Math.min(count, this.pipeline.maxParallel ?? DEFAULT_MAX_PARALLEL);
    let next = 0;
    let done = 0;
    return new Promise((resolve, reject) => {
      const settled = (): void => {
        if (++done === count) resolve(outputs);
        lane();
      };
      const lane = (): void => {
        if (next >= count) return;
        const index = next++;
        run(index).then(
          (out) => {
            outputs[index] = out;
            settled();
          },
          (err: unknown) => {
            // The step fails now; its other items carry on, as when all started at once.
            reject(err);
            settled();
          },
        );
      };
      for (let i = 0; i < lanes; i++) lane();
    });
  }

  private retryPolicy(step: StepDefinition): RetryPolicy {
    const handler = this.deps.handlers.get(step.task);
    const r = step.retries ?? handler?.options.retries ?? 0;
    return typeof r === 'number' ? { attempts: r } : r;
  }

  /** One task with its retries: cache, hooks, route, execute; resolves with its output. */
  private async runTask(step: StepDefinition, stepCtx: Context, scope: RefScope, itemIndex?: number): Promise<unknown> {
    const taskKey = itemIndex === undefined ? step.id : `${step.id}[${itemIndex}]`;
    const report = this.reports[step.id]!;
    const handler = this.deps.handlers.require(step.task);
    const input = resolveExpr(step.input ?? null, scope, `steps.${step.id}.input`);
    const key = step.key === undefined ? undefined : String(resolveExpr(step.key, scope, `steps.${step.id}.key`));
    const policy = this.retryPolicy(step);
    const timeoutMs = step.timeoutMs ?? handler.options.timeoutMs;
    const signal = this.controller.signal;
    const strategy = step.strategy ?? this.pipeline.strategy;
    const handlerCaps = handler.options.capabilities;
    const capabilities = [...new Set([...(typeof handlerCaps === 'function' ? handlerCaps(input) : (handlerCaps ?? [])), ...(step.capabilities ?? [])])];
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
      };
      await this.semaphore.acquire();
      let started = performance.now();
      let workerId = '';
      let retryDelayMs: number;
      try {
        if (signal.aborted) throw signal.reason;
        // Nothing can answer without a cache or a task:before hook: no lookup, and no await.
        const cache = this.cacheFor(task);
        const answered = cache || this.deps.hooks.has('task:before') ? await this.answer(task, stepCtx, cache) : undefined;
        if (answered) {
          report.answered++;
          await this.deps.hooks.emit('task:after', { task, workerId: answered.by, ok: true, durationMs: performance.now() - started, output: answered.output, shortCircuited: true });
          return answered.output;
        }
        report.attempts++;
        const decision = await this.deps.dispatcher.route(task, stepCtx, signal);
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
        });
        this.deps.dispatcher.handedOver(decision.workerId);
        const output = await execution;
        const durationMs = performance.now() - started;
        if (!task.noCache) await this.store(task, output);
        await this.deps.hooks.emit('task:after', { task, workerId, ok: true, durationMs, output, shortCircuited: false });
        this.deps.dispatcher.capacityChanged();
        return output;
      } catch (err) {
        // A task stopped because the run was cancelled (or failed fast) is cancelled, not failed;
        // hooks still hear of it, so whatever they reserved for the attempt is released.
        if (signal.aborted) {
          if (workerId) {
            const error = signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
            await this.deps.hooks.emit('task:error', { task, workerId, ok: false, durationMs: performance.now() - started, error, shortCircuited: false, willRetry: false }).catch(() => {});
            this.deps.dispatcher.capacityChanged();
          }
          throw signal.reason;
        }
        retryDelayMs = await this.onTaskError(step, task, stepCtx, workerId, policy, err, started);
      } finally {
        this.semaphore.release();
      }
      await sleep(retryDelayMs, signal);
    }
  }

  /** Records a failed attempt; returns the delay before the next one, or rethrows when there is none. */
  private async onTaskError(step: StepDefinition, task: TaskDescriptor, stepCtx: Context, workerId: string, policy: RetryPolicy, err: unknown, started: number): Promise<number> {
    const error = err instanceof Error ? err : new Error(String(err));
    const retryable = isRetryable(err);
    const willRetry = retryable && task.attempt <= policy.attempts;
    const delayMs = willRetry ? backoffDelay(policy.backoff, task.attempt, this.deps.random) : 0;
    this.deps.telemetry.decision(SpanNames.DECISION_RETRY, stepCtx, {
      [Attr.TASK_ID]: task.id,
      [Attr.STEP_ID]: step.id,
      [Attr.RETRY_ATTEMPT]: task.attempt,
      [Attr.RETRY_WILL_RETRY]: willRetry,
      [Attr.RETRY_DELAY_MS]: delayMs,
      [Attr.DECISION_CHOICE]: willRetry ? 'retry' : 'give-up',
      [Attr.DECISION_REASON]: !retryable ? `not retryable: ${error.message}` : willRetry ? error.message : `attempts exhausted (${task.attempt}): ${error.message}`,
      [Attr.ERROR_TYPE]: err instanceof WeftError ? (err.code as string) : error.name,
    });
    await this.deps.hooks.emit('task:error', { task, workerId, ok: false, durationMs: performance.now() - started, error, shortCircuited: false, willRetry });
    this.deps.dispatcher.capacityChanged();
    if (!willRetry) throw err;
    this.emit({ type: 'task:retry', stepId: step.id, attempt: task.attempt, delayMs, error: error.message });
    this.deps.logger.debug({ step: step.id, attempt: task.attempt, delayMs, err: error.message }, 'retrying task');
    return delayMs;
  }

  /** The result cache to look the task up in: a first attempt, cacheable, with a cache loaded. */
  private cacheFor(task: TaskDescriptor): ResultCache | undefined {
    if (task.noCache || task.attempt !== 1) return undefined;
    return this.deps.cache();
  }

  /** Cache first, then `task:before` hooks: either may answer without running. */
  private async answer(task: TaskDescriptor, ctx: Context, cache: ResultCache | undefined): Promise<{ output: unknown; by: string } | undefined> {
    if (cache) {
      let hit;
      try {
        hit = await cache.lookup(task, this.controller.signal);
      } catch (err) {
        this.deps.logger.warn({ err: errorMessage(err), cache: cache.name }, 'cache lookup failed; running the task');
      }
      this.deps.telemetry.decision(SpanNames.DECISION_CACHE, ctx, {
        [Attr.TASK_ID]: task.id,
        [Attr.TASK_TYPE]: task.type,
        [Attr.CACHE_NAME]: cache.name,
        [Attr.CACHE_HIT]: hit !== undefined,
        [Attr.DECISION_CHOICE]: hit ? 'hit' : 'miss',
        ...(hit ? { [Attr.CACHE_TIER]: hit.tier, [Attr.CACHE_SIMILARITY]: hit.similarity, [Attr.CACHE_ENTRY]: hit.entryKey } : {}),
      });
      if (hit) return { output: hit.output, by: `cache:${hit.tier}` };
    }
    const { result, owner } = await this.deps.hooks.emit('task:before', task);
    if (result) {
      trace.getSpan(ctx)?.addEvent('weft.task.answered', { [Attr.TASK_ID]: task.id, [Attr.TASK_ANSWERED_BY]: result.answeredBy ?? owner ?? 'hook' });
      return { output: result.output, by: result.answeredBy ?? owner ?? 'hook' };
    }
    return undefined;
  }

  private async store(task: TaskDescriptor, output: unknown): Promise<void> {
    const cache = this.deps.cache();
    if (!cache) return;
    try {
      await cache.store(task, output);
    } catch (err) {
      this.deps.logger.warn({ err: errorMessage(err), cache: cache.name }, 'cache store failed');
    }
  }
}
