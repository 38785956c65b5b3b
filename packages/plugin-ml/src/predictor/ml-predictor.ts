/**
 * The predictor: scores every candidate in one batched pass of the current network, gates the
 * pick on confidence, explores a seeded share of decisions, learns from outcomes into a bounded
 * buffer and trains in a worker thread, swapping the new model in with one assignment.
 */
import { silentLogger, type Logger, type Predictor, type TaskDescriptor, type TaskOutcome, type WorkerView } from '@weft/engine';
import type { CandidateScore, Prediction } from '@weft/engine/contracts';
import { seededRandom } from '@weft/engine/util';
import { resolveConfig, type MlConfig, type MlConfigInput } from '../config.js';
import { decodeDurationRatio, encodeBatch, encodeDurationRatio, type DecisionContext, type EncodedBatch } from '../features/encode.js';
import type { BatchLease } from '../features/batch-arrays.js';
import { DEFAULT_BASELINE_MS, TASK_FEATURE_COUNT } from '../features/feature-spec.js';
import { TypeSizes } from '../features/type-sizes.js';
import { WorkLedger } from '../features/work-ledger.js';
import { PairStats } from '../features/pair-stats.js';
import type { ModelSnapshot } from '../model/model-format.js';
import { MemoryModelStore } from '../store/memory-store.js';
import type { ModelStore } from '../store/model-store.js';
import { confidenceOf } from './confidence.js';
import { ModelKeeper } from './model-keeper.js';
import { PendingFeatures } from './pending-features.js';
import { Probes } from './probes.js';
import { meanDurationOutput, scoreCandidates } from './score.js';
import { Shortlist } from './shortlist.js';
import { emptyStats, trackError, type FallbackReason, type MlPredictorStats } from './predictor-stats.js';
import { Specialties } from './specialties.js';

/** A decision's candidates as the pick reads them, in their order. */
interface CandidatesView {
  readonly scores: CandidateScore[];
  /** The least cost. */
  readonly best: number;
  readonly observations: Uint32Array;
  readonly baselines: Float64Array;
  readonly ids: readonly string[];
  /** Candidates that have served the task's type. */
  readonly known: number;
}

type ActiveModel = NonNullable<ModelKeeper['active']>;

/** A batch encoded into a ring slot, with its candidates' ids. */
interface Encoded {
  readonly batch: EncodedBatch;
  readonly workerIds: string[];
  readonly lease: BatchLease;
}

/** Outcomes between two rebuilds of the specialties table. */
const SPECIALTY_REFRESH = 100;

export interface MlPredictorDeps {
  readonly logger?: Logger;
  /** Default: in memory. */
  readonly store?: ModelStore;
  /** The clock the work ledger reads, in ms. Default `performance.now`; a simulator passes its own. */
  readonly now?: () => number;
}

export class MlPredictor implements Predictor {
  readonly name = 'ml';
  readonly config: MlConfig;
  private readonly logger: Logger;
  private readonly models: ModelKeeper;
  private readonly pairs: PairStats;
  private readonly pending = new PendingFeatures(4096);
  private readonly specialties = new Specialties();
  private readonly ledger = new WorkLedger();
  private readonly sizes = new TypeSizes();
  private readonly now: () => number;
  private readonly probes: Probes;
  private readonly shortlist = new Shortlist();
  private sinceSpecialties = 0;
  private readonly random: () => number;
  private closed = false;
  readonly stats: MlPredictorStats = emptyStats();

  constructor(options: MlConfigInput | MlConfig = {}, deps: MlPredictorDeps = {}) {
    this.config = resolveConfig(options);
    this.logger = deps.logger ?? silentLogger();
    this.models = new ModelKeeper(this.config, deps.store ?? new MemoryModelStore(), this.logger, this.stats);
    this.pairs = new PairStats({ alpha: this.config.pairAlpha });
    this.random = seededRandom(this.config.seed);
    this.probes = new Probes(this.random, this.config.minPairObservations);
    this.now = deps.now ?? (() => performance.now());
  }

  /** `none` while cold, else `v<version>` (`+local` when the store refused to share it). */
  get modelVersion(): string {
    return this.models.active?.label ?? 'none';
  }

  /** The model's numeric version, 0 while cold. */
  get version(): number {
    return this.models.version;
  }

  get model(): ModelSnapshot | undefined {
    return this.models.active?.snapshot;
  }

  /** Whether a training is running in the worker thread now. */
  get isTraining(): boolean {
    return this.models.isTraining;
  }

  /** Whether the training thread exists (it is terminated by close()). */
  get trainingThreadAlive(): boolean {
    return this.models.trainingThreadAlive;
  }

  /** Opens the store, loads the stored model if any, starts the timers. Never throws. */
  start(): Promise<void> {
    return this.models.start();
  }

  predict(task: TaskDescriptor, candidates: readonly WorkerView[]): Prediction {
    this.stats.decisions++;
    if (this.closed) return this.fallback('closed', [], 0);
    if (candidates.length === 0) return this.fallback('cold', [], 0);
    const now = this.now();
    const sizeVsType = this.sizes.relative(task.type, task.sizeBytes);
    this.sizes.record(task.type, task.sizeBytes);
    const key = PendingFeatures.key(task.id, task.attempt);
    // One read of `active`: the whole decision uses one model even if a swap happens meanwhile.
    const active = this.models.active;
    // With a model, a large decision compares in full only the candidates that can win; without
    // one, every candidate's row is kept for training.
    const list = active && this.config.shortlist > 0 && candidates.length > this.config.shortlist ? this.shortlist : undefined;
    list?.select(task, candidates, this.pairs, this.ledger, now, this.config.shortlist);
    // No specialist, no premium: no lookup per candidate.
    const reserve = this.config.reserveWeight > 0 && this.specialties.size > 0 ? (id: string): number => this.specialties.premium(id, task.type) : undefined;
    const context: DecisionContext = { sizeVsType, ledger: this.ledger, now, batch: list?.minimums };
    const first = this.encode(task, list ? list.chosen : candidates, context);
    // Kept before scoring, as it always was: a single candidate's row is copied at once, with the
    // uncorrected service time (see PendingFeatures.set).
    if (!list) this.keep(key, first);
    if (!active) return this.fallback('cold', [], 0);
    // Only the duration output: scoring reads the success rates the fleet showed, not the network's.
    const ratio = meanDurationOutput(active.network.runBatch(first.batch.rows, first.batch.count, TASK_FEATURE_COUNT, 1), first.batch.count);
    const scored = this.score(first, ratio, list ? list.chosen : candidates, active, reserve);
    if (!list) {
      const { batch } = first;
      let known = 0;
      for (let i = 0; i < batch.count; i++) if (batch.observations[i]! > 0) known++;
      // Every field named: a spread of `scored` went through the runtime's generic copy (a third of a small decision's time).
      return this.decide(task, key, active, candidates, {
        scores: scored.scores,
        best: scored.best,
        observations: batch.observations,
        baselines: batch.baselines,
        ids: first.workerIds,
        known,
      });
    }
    // A candidate left out whose bound does not exceed the best cost could still win: scored in
    // full too, under the same correction (no network: the correction is the shortlist's).
    let best = list.index[scored.best]!;
    let extra: Encoded | undefined;
    let extraScores: CandidateScore[] | undefined;
    if (list.widen(candidates, active.correctionWeight, scored.factor, scored.bestCost) > 0) {
      extra = this.encode(task, list.extra, context);
      const more = this.score(extra, ratio, list.extra, active, reserve);
      extraScores = more.scores;
      const at = list.extraIndex[more.best]!;
      // The least cost, the earlier candidate on a tie: as scoring every candidate in order would pick.
      if (more.bestCost < scored.bestCost || (more.bestCost === scored.bestCost && at < best)) best = at;
    }
    const { observations, baselines, ids, known } = list;
    const prediction = this.decide(task, key, active, candidates, {
      scores: list.scores(candidates, scored.scores, extraScores),
      best,
      observations,
      baselines,
      ids,
      known,
    });
    // The chosen worker keeps its row, which its outcome trains on and corrects its pair's sample
    // with: a probe off the shortlist is encoded alone.
    const chosen = prediction.choice === undefined ? -1 : ids.indexOf(prediction.choice);
    const where = chosen < 0 ? 1 : list.memberOf(chosen);
    if (where === 1) this.keep(key, first);
    else if (where === 2) this.keep(key, extra!);
    else {
      const alone = this.encode(task, [candidates[chosen]!], context);
      this.score(alone, ratio, [candidates[chosen]!], active, reserve);
      this.keep(key, alone);
    }
    return prediction;
  }

  /** Encodes `listed` into the next ring slot. */
  private encode(task: TaskDescriptor, listed: readonly WorkerView[], context: DecisionContext): Encoded {
    const lease = this.pending.lease(listed.length);
    const batch = encodeBatch(task, listed, this.pairs, lease.arrays, context);
    // The ids go into the slot's reused array: a copy per decision was an allocation per decision.
    const workerIds = lease.workerIds;
    for (let i = 0; i < batch.count; i++) workerIds[i] = listed[i]!.id;
    return { batch, workerIds, lease };
  }

  private score(e: Encoded, ratio: number, listed: readonly WorkerView[], active: ActiveModel, reserve: ((id: string) => number) | undefined) {
    return scoreCandidates(ratio, e.batch, e.workerIds, listed, active.correctionWeight, this.config.reserveWeight, reserve);
  }

  /** Keeps the decision's rows until it is routed (then only the chosen worker's, until its outcome). */
  private keep(key: string, { batch, workerIds, lease }: Encoded): void {
    const { rows, baselines, waits, services, predicted } = batch;
    this.pending.set(key, { workerIds, count: batch.count, rows, baselines, waits, services, predicted, lease });
  }

  /** Confidence, exploration, staleness and probes, over every candidate (`view`: their scores and figures, in their order). */
  private decide(task: TaskDescriptor, key: string, active: ActiveModel, candidates: readonly WorkerView[], view: CandidatesView): Prediction {
    const { scores, best, observations, baselines, ids, known } = view;
    const confidence = confidenceOf({
      model: active.snapshot,
      pickObservations: observations[best]!,
      minPairObservations: this.config.minPairObservations,
      coverage: known / candidates.length,
    });
    if (this.config.explorationRate > 0 && this.random() < this.config.explorationRate) {
      this.stats.explored++;
      const choice = this.probes.optimistic(candidates, baselines, observations, best);
      return { confidence, scores, modelVersion: active.label, choice, explored: true };
    }
    if (this.config.staleAfterMs > 0 && Date.now() - active.snapshot.trainedAt > this.config.staleAfterMs)
      return this.fallback('stale', scores, confidence, active.label);
    if (confidence < this.config.confidenceThreshold) {
      // Unsure: gather the missing evidence (a probe) when there is a free worker to ask; else the
      // expected-completion pick stands, with priors for what is unknown, unless configured to defer.
      const probe = this.config.probeWhenUnsure ? this.probes.probe(task.type, key, candidates, ids, observations, best) : -1;
      if (probe >= 0) {
        this.stats.explored++;
        this.stats.probes++;
        return { confidence, scores, modelVersion: active.label, choice: candidates[probe]!.id, explored: true };
      }
      if (this.config.deferWhenUnsure) return this.fallback('low-confidence', scores, confidence, active.label);
    }
    this.stats.predicted++;
    return { confidence, scores, modelVersion: active.label, choice: candidates[best]!.id, explored: false };
  }

  /** Tells the predictor which worker a decision went to (the `route:after` hook calls this). */
  routed(task: TaskDescriptor, workerId: string, concurrency?: number): void {
    const key = PendingFeatures.key(task.id, task.attempt);
    const service = this.pending.keepOnly(key, workerId);
    this.ledger.assign(workerId, concurrency, key, service ?? this.pairs.typeMean(task.type) ?? DEFAULT_BASELINE_MS, this.now());
    // A probe the dispatcher did not follow (a guard refused the worker) is not in flight.
    this.probes.routed(key, task.type, workerId);
  }

  /** Learns from a finished attempt (the `task:after` and `task:error` hooks call this). */
  observe(outcome: TaskOutcome): void {
    if (this.closed || outcome.shortCircuited) return;
    this.stats.outcomes++;
    const now = this.now();
    const key = PendingFeatures.key(outcome.task.id, outcome.task.attempt);
    const startedAt = this.ledger.finish(outcome.workerId, key, now);
    const chosen = this.pending.take(key, outcome.workerId);
    // The service sample: from when the ledger saw the task take a slot, else the duration less
    // the wait expected at dispatch (a quarter of the duration at least: an overestimated wait
    // cannot claim the task took no time).
    const measured = startedAt === undefined || Number.isNaN(startedAt) ? undefined : Math.min(outcome.durationMs, now - startedAt);
    const service = measured ?? (chosen ? Math.max(outcome.durationMs - chosen.expectedWaitMs, outcome.durationMs / 4) : undefined);
    if (chosen && service !== undefined) {
      // A failure's duration says nothing of the service time: its duration target is what the
      // network predicted (no correction either way); it teaches the success output only.
      const sample = outcome.ok ? service : decodeDurationRatio(chosen.predicted, chosen.baseline);
      this.models.learn(chosen.row, encodeDurationRatio(sample, chosen.baseline), outcome.ok ? 1 : 0);
      if (outcome.ok && chosen.predicted !== 0.5) trackError(this.stats.durationError, sample, chosen);
    }
    // The pair statistic keeps the service time of a typical task: the sample over the
    // network's correction for this task's own features (its size).
    const correction = chosen && chosen.predicted !== 0.5 ? decodeDurationRatio(chosen.predicted, 1) : 1;
    this.pairs.record(outcome.workerId, outcome.task.type, outcome.ok, outcome.durationMs, service === undefined ? undefined : service / correction, now);
    this.probes.end(outcome.task.type, outcome.workerId);
    if (++this.sinceSpecialties >= SPECIALTY_REFRESH) {
      this.sinceSpecialties = 0;
      this.specialties.recompute(this.pairs.everyType());
      this.ledger.prune(now);
    }
    this.models.trainIfDue();
  }

  /** Trains now on the buffer (if it holds `minSamples`) and resolves once the model is swapped in. */
  trainNow(): Promise<number> {
    return this.models.trainNow();
  }

  /**
   * Holds model swaps: a training that finishes meanwhile waits (and counts as in flight) until
   * the returned function is called. For tests and for operators who want a run on one model.
   */
  holdSwaps(): () => void {
    return this.models.holdSwaps();
  }

  /** Resolves when no training is in flight. */
  whenIdle(): Promise<void> {
    return this.models.whenIdle();
  }

  /** Loads a newer model from the store, if there is one. Never throws; errors are logged. */
  sync(): Promise<void> {
    return this.models.sync();
  }

  /** Stops timers, terminates the training thread, closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.models.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private fallback(reason: FallbackReason, scores: CandidateScore[], confidence: number, label = this.modelVersion): Prediction {
    this.stats.fallbacks[reason] = (this.stats.fallbacks[reason] ?? 0) + 1;
    return { confidence, scores, modelVersion: label, fallbackReason: reason };
  }
}
