/**
 * Routes a task: filters workers by capability and guards (breaker, bulkhead), asks the
 * predictor, then the named strategy, then the built-in default; records the decision as spans.
 */
import 'reflect-metadata';
import { trace, type Context } from '@opentelemetry/api';
import { inject, injectable, type DependencyContainer } from 'tsyringe';
import type { BalancingStrategy, Prediction, Predictor, RouteDecision, WorkerGuard } from '../contracts/routing.js';
import type { TaskDescriptor } from '../contracts/task.js';
import { workerAccepts, type WorkerView } from '../contracts/worker.js';
import type { EngineConfig } from '../config/engine-config.js';
import { WeftError, errorMessage } from '../errors.js';
import type { Executor } from '../executors/executor.js';
import type { Router } from '../executors/executor-deps.js';
import type { HookRegistry } from '../hooks/hook-registry.js';
import type { Logger } from '../logging/logger.js';
import {
  BalancingStrategyToken,
  EngineContainerToken,
  ExecutorToken,
  HookRegistryToken,
  LoggerToken,
  PredictorToken,
  RandomToken,
  RoutingConfigToken,
  TelemetryToken,
  WorkerGuardToken,
} from '../tokens.js';
import { Attr, SpanNames } from '../tracing/attributes.js';
import type { Telemetry } from '../tracing/telemetry.js';
import { capacityOrTimeout } from './capacity-wait.js';
import { DefaultLeastInFlight } from './least-in-flight.js';
import { recordedPrediction, topScores } from './recorded-prediction.js';
import { admitByGuards, type Refusal } from './worker-admission.js';

/** The configuration's `routing`, defaults applied (config/engine-config.ts). */
export type RoutingConfig = EngineConfig['routing'];

export type { Reselect } from '../executors/executor-deps.js';

/** A decision and its `weft.decision.route` span's context: the task's execution is its child. */
export interface RoutedDecision extends RouteDecision {
  readonly traceContext: Context;
}

@injectable()
export class Dispatcher implements Router {
  private readonly fallback = new DefaultLeastInFlight();
  /** Tasks routed to a worker whose execution has not begun: counted as in flight so concurrent routing spreads. */
  private readonly pending = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  constructor(
    @inject(EngineContainerToken) private readonly container: DependencyContainer,
    @inject(ExecutorToken) private readonly executor: Executor,
    @inject(HookRegistryToken) private readonly hooks: HookRegistry,
    @inject(TelemetryToken) private readonly telemetry: Telemetry,
    @inject(LoggerToken) private readonly logger: Logger,
    @inject(RoutingConfigToken) private readonly config: RoutingConfig,
    @inject(RandomToken) private readonly random: () => number,
  ) {}

  strategies(): BalancingStrategy[] {
    return this.container.isRegistered(BalancingStrategyToken, true) ? this.container.resolveAll(BalancingStrategyToken) : [];
  }

  strategyNames(): string[] {
    return ['default', ...this.strategies().map((s) => s.name)];
  }

  private guards(): WorkerGuard[] {
    return this.container.isRegistered(WorkerGuardToken, true) ? this.container.resolveAll(WorkerGuardToken) : [];
  }

  private predictor(): Predictor | undefined {
    return this.container.isRegistered(PredictorToken, true) ? this.container.resolve(PredictorToken) : undefined;
  }

  resolveStrategy(name: string | undefined): BalancingStrategy {
    const all = this.strategies();
    const wanted = name ?? this.config.strategy ?? (all.length === 1 ? all[0]!.name : undefined);
    if (wanted === undefined || wanted === 'default') return this.fallback;
    const found = all.findLast((s) => s.name === wanted);
    if (!found) {
      throw new WeftError(
        'WEFT_STRATEGY_UNKNOWN',
        `Balancing strategy "${wanted}" is not registered (known: ${this.strategyNames().join(', ')}). Load the plugin that provides it or fix the name.`,
        {
          retryable: false,
          details: { strategy: wanted },
        },
      );
    }
    return found;
  }

  /** Live workers with in-flight counts that include tasks routed but not yet started. */
  views(): WorkerView[] {
    return this.executor.workers().map((w) => {
      const extra = this.pending.get(w.id) ?? 0;
      return extra === 0 ? w : { ...w, stats: { ...w.stats, inFlight: w.stats.inFlight + extra } };
    });
  }

  /**
   * Wakes tasks waiting for capacity. The scheduler calls it after `task:after`/`task:error` hooks,
   * so a guard that frees capacity in a hook (a bulkhead release) is seen at once, not at the next poll.
   */
  capacityChanged(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Called by the scheduler as it hands the task to the executor (which counts it from then on). */
  handedOver(workerId: string): void {
    const n = (this.pending.get(workerId) ?? 0) - 1;
    if (n <= 0) this.pending.delete(workerId);
    else this.pending.set(workerId, n);
  }

  /**
   * `avoid`: the worker that failed the task's previous attempt. A retry goes to another capable
   * worker the guards admit whenever there is one; only when it is the sole one does it go back.
   */
  async route(task: TaskDescriptor, parent: Context, signal: AbortSignal, avoid?: string): Promise<RoutedDecision> {
    // A fleet's workers come and go (a restart, a Redis blip that wiped the registry): there a task
    // waits, bounded, for a capable worker to (re)appear. Embedded slots are fixed: fail at once.
    const waitsForWorkers = this.executor.waitsForWorkers;
    const capable = this.views().filter((w) => workerAccepts(w, task.capabilities));
    if (capable.length === 0 && !waitsForWorkers) throw this.noWorker(task, 'no live worker offers them', []);
    await this.hooks.emit('route:before', { task, candidates: capable });
    const strategy = this.resolveStrategy(task.strategy);
    const predictor = this.predictor();
    const started = performance.now();
    const limit = this.config.waitForCapacityMs;
    let prediction: Prediction | undefined;
    let predicted = false;
    let decision: RouteDecision | undefined;
    let refused: Refusal[] = [];
    for (;;) {
      if (predictor && !predicted) {
        const { pool } = this.admit(task, avoid);
        if (pool.length > 0) {
          predicted = true;
          prediction = await recordedPrediction({ telemetry: this.telemetry, logger: this.logger }, predictor, task, pool, parent);
        }
      }
      // From here to the pending count, no await: admission, choice and reservation are one step,
      // so tasks routed at the same moment see each other (bulkheads hold, bursts spread).
      const admitted = this.admit(task, avoid);
      refused = admitted.refused;
      if (admitted.allowed.length > 0) {
        decision = this.choose(
          task,
          strategy,
          admitted.pool,
          prediction,
          admitted.allowed.map((w) => w.id),
        );
        break;
      }
      const waitedMs = performance.now() - started;
      if (admitted.capable === 0 && !waitsForWorkers) throw this.noWorker(task, 'no live worker offers them', []);
      if (waitedMs >= limit) {
        const why =
          admitted.capable === 0
            ? `no live worker offered them within ${Math.round(waitedMs)} ms`
            : `every capable worker refused it for ${Math.round(waitedMs)} ms`;
        throw this.noWorker(task, why, refused);
      }
      await capacityOrTimeout(Math.min(250, limit - waitedMs), signal, (wake) => {
        const offExecutor = this.executor.onCapacity(wake);
        this.waiters.add(wake);
        return () => {
          offExecutor();
          this.waiters.delete(wake);
        };
      });
    }
    if (refused.length > 0) decision = { ...decision, refused: refused.map((r) => ({ workerId: r.workerId, reason: r.reason })) };
    this.pending.set(decision.workerId, (this.pending.get(decision.workerId) ?? 0) + 1);
    const routeSpan = this.telemetry.decision(SpanNames.DECISION_ROUTE, parent, {
      [Attr.TASK_ID]: task.id,
      [Attr.TASK_TYPE]: task.type,
      [Attr.TASK_ATTEMPT]: task.attempt,
      [Attr.DECISION_STRATEGY]: decision.decidedBy,
      [Attr.DECISION_CANDIDATE_COUNT]: decision.candidates.length,
      [Attr.DECISION_CANDIDATES]: decision.candidates.slice(0, 50),
      [Attr.DECISION_CHOICE]: decision.workerId,
      [Attr.DECISION_REASON]: decision.reason,
      [Attr.DECISION_SCORES]: topScores(decision.scores),
      [Attr.DECISION_REFUSED]: refused.map((r) => `${r.workerId}:${r.reason}`),
      [Attr.DECISION_WAITED_MS]: Math.round(performance.now() - started),
    });
    try {
      await this.hooks.emit('route:after', { task, decision });
    } catch (err) {
      this.handedOver(decision.workerId);
      throw err;
    }
    return { ...decision, traceContext: trace.setSpan(parent, routeSpan) };
  }

  /**
   * A new worker for a task whose worker was lost, among `views` (live, capable, with the
   * handler): the guards admit, then the task's strategy chooses, as on its first route. No
   * predictor and no hooks: it is a recovery, recorded by the executor as `weft.decision.reroute`,
   * and the task's `route:after` already ran. If every guard refuses, all of `views` stay
   * eligible: a breaker must not strand a task whose worker is gone.
   */
  reselect(task: TaskDescriptor, views: readonly WorkerView[]): { workerId: string; decidedBy: string; reason: string } {
    const { allowed } = admitByGuards(this.guards(), task, views);
    const pool = allowed.length > 0 ? allowed : [...views];
    let strategy: BalancingStrategy;
    try {
      strategy = this.resolveStrategy(task.strategy);
    } catch {
      strategy = this.fallback;
    }
    const choice = this.select(strategy, task, pool);
    if (!pool.some((w) => w.id === choice.workerId)) {
      const fallback = this.fallback.select(task, pool, { random: this.random });
      return { workerId: fallback.workerId, decidedBy: this.fallback.name, reason: fallback.reason ?? this.fallback.name };
    }
    return { workerId: choice.workerId, decidedBy: strategy.name, reason: choice.reason ?? strategy.name };
  }

  /** Tells every guard that a re-route moved the task (see WorkerGuard.moved); a guard's error is logged, never thrown. */
  moved(task: TaskDescriptor, from: string, to: string | undefined): void {
    if (from === to) return;
    for (const guard of this.guards()) {
      try {
        guard.moved?.(task, from, to);
      } catch (err) {
        this.logger.warn({ guard: guard.name, task: task.id, err: errorMessage(err) }, 'guard failed to follow a re-route');
      }
    }
  }

  /** The strategy's pick among `workers`, with its configured options. */
  private select(strategy: BalancingStrategy, task: TaskDescriptor, workers: readonly WorkerView[], prediction?: Prediction) {
    const options = this.config.strategyOptions[strategy.name];
    return strategy.select(task, workers, { random: this.random, ...(prediction ? { prediction } : {}), ...(options ? { options } : {}) });
  }

  /** `allowed`: the pool to choose from; `candidates`: every admitted worker, as recorded on the decision. */
  private choose(
    task: TaskDescriptor,
    strategy: BalancingStrategy,
    allowed: WorkerView[],
    prediction: Prediction | undefined,
    candidates: string[],
  ): RouteDecision {
    if (prediction?.choice !== undefined && allowed.some((w) => w.id === prediction.choice)) {
      return {
        workerId: prediction.choice,
        decidedBy: 'predictor',
        reason: prediction.explored ? 'predictor explored' : `predictor confident (${prediction.confidence.toFixed(2)})`,
        candidates,
        scores: prediction.scores,
        prediction,
      };
    }
    const choice = this.select(strategy, task, allowed, prediction);
    return {
      workerId: choice.workerId,
      decidedBy: strategy.name,
      reason: choice.reason ?? strategy.name,
      candidates,
      scores: choice.scores ?? [],
      ...(prediction ? { prediction } : {}),
    };
  }

  /** Capable workers that every guard admits now (less `avoid` when another is admitted), and why the others were refused. */
  private admit(task: TaskDescriptor, avoid?: string): { allowed: WorkerView[]; pool: WorkerView[]; refused: Refusal[]; capable: number } {
    const capable = this.views().filter((w) => workerAccepts(w, task.capabilities));
    const guarded = admitByGuards(this.guards(), task, capable);
    // The pool to choose from: without `avoid` when another admitted worker can take the task.
    const pool = avoid !== undefined && guarded.allowed.some((w) => w.id !== avoid) ? guarded.allowed.filter((w) => w.id !== avoid) : guarded.allowed;
    return { ...guarded, pool, capable: capable.length };
  }

  private noWorker(task: TaskDescriptor, why: string, refused: Refusal[]): WeftError<'WEFT_NO_WORKER_AVAILABLE'> {
    const caps = task.capabilities.length > 0 ? `capabilities [${task.capabilities.join(', ')}]` : 'no capabilities';
    const detail = refused.length > 0 ? ` (refused: ${refused.map((r) => `${r.workerId} ${r.reason}`).join(', ')})` : '';
    return new WeftError(
      'WEFT_NO_WORKER_AVAILABLE',
      `No worker available for step "${task.stepId}" (${task.type}, needs ${caps}): ${why}${detail}. Start a worker that offers them, or wait for capacity.`,
      { details: { stepId: task.stepId, capabilities: task.capabilities, refused } },
    );
  }
}
