/**
 * One run of a pipeline: releases steps as their dependencies finish, runs them in parallel up
 * to a limit (forEach items included), applies conditions, cache, routing, retries and
 * timeouts, and ends with a RunResult or a PipelineRunError naming each failed step.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { SpanStatusCode, type Context } from '@opentelemetry/api';
import { WeftError, errorMessage } from '../errors.js';
import { evaluateCondition } from '../pipeline/condition.js';
import type { PipelineDefinition, StepDefinition } from '../pipeline/pipeline-types.js';
import { resolveExpr, type RefScope } from '../pipeline/refs.js';
import { Attr, SpanNames } from '../tracing/attributes.js';
import { failSpan } from '../tracing/telemetry.js';
import { allItems } from './fan-out.js';
import type { RunDeps } from './run-deps.js';
import { PipelineRunError } from './run-error.js';
import { runResult } from './run-result.js';
import type { RunJournal } from './run-journal.js';
import type { RunEvent, RunOptions, RunResult, StepReport } from './run-types.js';
import { Semaphore } from './semaphore.js';
import { releaseSteps, type StepStart } from './step-release.js';
import { runTaskAttempts, type TaskRunContext } from './task-attempts.js';

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
      await releaseSteps(this.pipeline.steps, (step) => this.begin(step, ctx));
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
      ...(this.options.priority === undefined ? {} : { priority: this.options.priority }),
    });
    for (const [stepId, { report, output }] of this.journal.restored) {
      if (!(stepId in this.reports)) continue;
      this.reports[stepId] = { ...report, workers: [...report.workers] };
      if (report.status === 'succeeded') this.outputs[stepId] = output;
    }
  }

  private taskRun(): TaskRunContext {
    const { deps, runId, pipeline, semaphore, journal, emit } = this;
    return { deps, runId, pipeline, priority: this.options.priority, signal: this.controller.signal, semaphore, journal, emit };
  }

  private scope(extra: Partial<RefScope> = {}): RefScope {
    return { input: this.input, steps: this.outputs, ...extra };
  }

  /** Offers a step whose dependencies are done: it runs, or ends at once (skipped, cancelled, restored). */
  private begin(step: StepDefinition, runCtx: Context): StepStart {
    const report = this.reports[step.id]!;
    // Ended before this run began (restored from a stored run it resumes): its dependents may be ready.
    if (report.status !== 'pending') return report.status === 'running' ? 'held' : 'ended';
    const blocked = (step.dependsOn ?? []).find((d) => this.reports[d]!.status !== 'succeeded');
    if (blocked !== undefined) {
      const st = this.reports[blocked]!.status;
      this.finishStep(step, st === 'skipped' ? 'skipped' : 'cancelled', `dependency "${blocked}" ${st}`);
      return 'ended';
    }
    if (this.controller.signal.aborted) {
      this.finishStep(step, 'cancelled', this.firstFailure ? 'run failed (fail-fast)' : 'run cancelled');
      return 'ended';
    }
    report.status = 'running';
    return this.runStep(step, runCtx);
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
          runTaskAttempts(this.taskRun(), step, report, ctx, this.scope({ item: items[index], index }), index).then(
            (out) => (this.emit({ type: 'item:end', stepId: step.id, index, ok: true }), out),
            (err: unknown) => {
              this.emit({ type: 'item:end', stepId: step.id, index, ok: false });
              throw err;
            },
          ),
        );
      } else {
        output = await runTaskAttempts(this.taskRun(), step, report, ctx, this.scope());
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
}
