/**
 * The predictor: scores every candidate in one batched pass of the current network, gates the
 * pick on confidence, explores a seeded share of decisions, learns from outcomes into a bounded
 * buffer and trains in a worker thread, swapping the new model in with one assignment.
 */
import {
  seededRandom,
  silentLogger,
  type CandidateScore,
  type Logger,
  type Prediction,
  type Predictor,
  type TaskDescriptor,
  type TaskOutcome,
  type WorkerView,
} from '@weft/engine';
import { resolveConfig, type MlConfig, type MlConfigInput } from '../config.js';
import { MlError, errorMessage, isMlError } from '../errors.js';
import { decodeDurationRatio, encodeBatch, encodeDurationRatio } from '../features/encode.js';
import { DEFAULT_BASELINE_MS, FEATURE_COUNT, FEATURE_VERSION, TASK_FEATURE_COUNT } from '../features/feature-spec.js';
import { TypeSizes } from '../features/type-sizes.js';
import { WorkLedger } from '../features/work-ledger.js';
import { PairStats } from '../features/pair-stats.js';
import { CompiledNetwork } from '../model/compiled-network.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelSnapshot } from '../model/model-format.js';
import { MemoryModelStore } from '../store/memory-store.js';
import type { ModelStore, UnversionedModel } from '../store/model-store.js';
import { OutcomeBuffer } from '../training/outcome-buffer.js';
import { Trainer } from '../training/trainer.js';
import { confidenceOf, correctionWeight } from './confidence.js';
import { PendingFeatures } from './pending-features.js';
import { Probes } from './probes.js';
import { scoreCandidates } from './score.js';
import { emptyStats, trackError, type ActiveModel, type FallbackReason, type MlPredictorStats } from './predictor-stats.js';
import { Specialties } from './specialties.js';

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
  private readonly store: ModelStore;
  private readonly trainer: Trainer;
  private readonly buffer: OutcomeBuffer;
  private readonly pairs: PairStats;
  private readonly pending = new PendingFeatures(4096);
  private readonly specialties = new Specialties();
  private readonly ledger = new WorkLedger();
  private readonly sizes = new TypeSizes();
  private readonly now: () => number;
  private readonly probes: Probes;
  private sinceSpecialties = 0;
  private readonly random: () => number;
  private active: ActiveModel | undefined;
  private sinceTraining = 0;
  private training: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private swapHold: { promise: Promise<void>; release: () => void } | undefined;
  private refusedVersion: number | undefined;
  readonly stats: MlPredictorStats = emptyStats();

  constructor(options: MlConfigInput | MlConfig = {}, deps: MlPredictorDeps = {}) {
    this.config = resolveConfig(options);
    this.logger = deps.logger ?? silentLogger();
    this.store = deps.store ?? new MemoryModelStore();
    this.buffer = new OutcomeBuffer(this.config.bufferSize);
    this.pairs = new PairStats({ alpha: this.config.pairAlpha });
    this.random = seededRandom(this.config.seed);
    this.probes = new Probes(this.random, this.config.minPairObservations);
    this.now = deps.now ?? (() => performance.now());
    const c = this.config;
    this.trainer = new Trainer({
      hiddenLayers: c.hiddenLayers,
      iterations: c.iterations,
      learningRate: c.learningRate,
      errorThresh: c.errorThresh,
      timeoutMs: c.trainTimeoutMs,
      validationShare: c.validationShare,
      seed: c.seed,
    });
  }

  /** `none` while cold, else `v<version>` (`+local` when the store refused to share it). */
  get modelVersion(): string {
    return this.active?.label ?? 'none';
  }

  /** The model's numeric version, 0 while cold. */
  get version(): number {
    return this.active?.snapshot.version ?? 0;
  }

  get model(): ModelSnapshot | undefined {
    return this.active?.snapshot;
  }

  /** Whether a training is running in the worker thread now. */
  get isTraining(): boolean {
    return this.training !== undefined;
  }

  /** Whether the training thread exists (it is terminated by close()). */
  get trainingThreadAlive(): boolean {
    return this.trainer.threadAlive;
  }

  /** Opens the store, loads the stored model if any, starts the timers. Never throws. */
  async start(): Promise<void> {
    try {
      await this.store.open();
      await this.sync();
    } catch (err) {
      this.noteError(err, 'could not open the model store; starting cold');
    }
    if (this.config.trainIntervalMs > 0) this.every(this.config.trainIntervalMs, () => void this.maybeTrain(true));
    if (this.store.kind === 'redis' && this.config.syncIntervalMs > 0) this.every(this.config.syncIntervalMs, () => void this.sync());
  }

  predict(task: TaskDescriptor, candidates: readonly WorkerView[]): Prediction {
    this.stats.decisions++;
    if (this.closed) return this.fallback('closed', [], 0);
    if (candidates.length === 0) return this.fallback('cold', [], 0);
    const now = this.now();
    const sizeVsType = this.sizes.relative(task.type, task.sizeBytes);
    this.sizes.record(task.type, task.sizeBytes);
    const lease = this.pending.lease(candidates.length);
    const batch = encodeBatch(task, candidates, this.pairs, lease.arrays, { sizeVsType, ledger: this.ledger, now });
    // The ids go into the slot's reused array: a copy per decision was an allocation per decision.
    const workerIds = lease.workerIds;
    for (let i = 0; i < batch.count; i++) workerIds[i] = candidates[i]!.id;
    const key = PendingFeatures.key(task.id, task.attempt);
    const { rows, baselines, waits, services, predicted } = batch;
    this.pending.set(key, { workerIds, count: batch.count, rows, baselines, waits, services, predicted, lease });
    // One read of `active`: the whole decision uses one model even if a swap happens meanwhile.
    const active = this.active;
    if (!active) return this.fallback('cold', [], 0);
    const out = active.network.runBatch(rows, batch.count, TASK_FEATURE_COUNT);
    const reserve = this.config.reserveWeight > 0 ? (id: string): number => this.specialties.premium(id, task.type) : undefined;
    const { scores, best } = scoreCandidates(out, batch, workerIds, candidates, active.correctionWeight, this.config.reserveWeight, reserve);
    let known = 0;
    for (let i = 0; i < batch.count; i++) if (batch.observations[i]! > 0) known++;
    const confidence = confidenceOf({
      model: active.snapshot,
      pickObservations: batch.observations[best]!,
      minPairObservations: this.config.minPairObservations,
      coverage: known / batch.count,
    });
    if (this.config.explorationRate > 0 && this.random() < this.config.explorationRate) {
      this.stats.explored++;
      const choice = this.probes.optimistic(candidates, baselines, batch.observations, best);
      return { confidence, scores, modelVersion: active.label, choice, explored: true };
    }
    if (this.config.staleAfterMs > 0 && Date.now() - active.snapshot.trainedAt > this.config.staleAfterMs)
      return this.fallback('stale', scores, confidence, active.label);
    if (confidence < this.config.confidenceThreshold) {
      // Unsure: gather the missing evidence (a probe) when there is a free worker to ask; else the
      // expected-completion pick stands, with priors for what is unknown, unless configured to defer.
      const probe = this.config.probeWhenUnsure ? this.probes.probe(task.type, key, candidates, workerIds, batch.observations, best) : -1;
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
      this.buffer.add(chosen.row, encodeDurationRatio(sample, chosen.baseline), outcome.ok ? 1 : 0);
      this.sinceTraining++;
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
    if (this.sinceTraining >= this.config.trainEvery) void this.maybeTrain(false);
  }

  /** Trains now on the buffer (if it holds `minSamples`) and resolves once the model is swapped in. */
  async trainNow(): Promise<number> {
    if (this.training) await this.training;
    await this.maybeTrain(true);
    return this.version;
  }

  /**
   * Holds model swaps: a training that finishes meanwhile waits (and counts as in flight) until
   * the returned function is called. For tests and for operators who want a run on one model.
   */
  holdSwaps(): () => void {
    if (!this.swapHold) {
      let release!: () => void;
      const promise = new Promise<void>((resolve) => (release = resolve));
      this.swapHold = { promise, release };
    }
    const hold = this.swapHold;
    return () => {
      if (this.swapHold === hold) this.swapHold = undefined;
      hold.release();
    };
  }

  /** Resolves when no training is in flight. */
  async whenIdle(): Promise<void> {
    while (this.training) await this.training;
  }

  /** Loads a newer model from the store, if there is one. Never throws; errors are logged. */
  async sync(): Promise<void> {
    try {
      const latest = await this.store.latestVersion();
      const localOnly = this.active?.shared === false;
      if (latest === undefined || (latest <= this.version && !localOnly) || latest === this.refusedVersion) return;
      const model = await this.store.load();
      if (model) this.install(model, true);
    } catch (err) {
      if (isMlError(err, 'WEFT_ML_MODEL_CORRUPT') || isMlError(err, 'WEFT_ML_MODEL_INCOMPATIBLE')) {
        // Remember the refused version so a bad model is logged once, not every sync.
        this.refusedVersion = await this.store.latestVersion().catch(() => undefined);
      }
      this.noteError(err, this.active ? 'kept the current model' : 'staying cold; the balancing strategy decides');
    }
  }

  /** Stops timers, terminates the training thread, closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.swapHold?.release();
    this.swapHold = undefined;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.trainer.close();
    await this.training?.catch(() => {});
    await this.store.close().catch((err: unknown) => this.noteError(err, 'closing the model store'));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private maybeTrain(force: boolean): Promise<void> {
    if (this.closed || this.training) return this.training ?? Promise.resolve();
    if (this.buffer.size < this.config.minSamples) return Promise.resolve();
    if (!force && this.sinceTraining < this.config.trainEvery) return Promise.resolve();
    if (force && this.sinceTraining === 0 && this.active) return Promise.resolve();
    this.sinceTraining = 0;
    const set = this.buffer.snapshot();
    const warm = this.active?.snapshot.network;
    this.training = this.trainer
      .train(set, warm)
      .then(async (res) => {
        // A hold (holdSwaps) keeps the finished training from being swapped in until released.
        while (this.swapHold) await this.swapHold.promise;
        const model: UnversionedModel = {
          format: MODEL_FORMAT,
          formatVersion: MODEL_FORMAT_VERSION,
          featureVersion: FEATURE_VERSION,
          featureCount: FEATURE_COUNT,
          trainedAt: Date.now(),
          samples: set.count,
          quality: { validationMae: res.validationMae, baselineMae: res.baselineMae, validationSamples: res.validationSamples },
          typeCoverage: set.typeCoverage,
          network: res.network,
        };
        this.stats.trainings++;
        this.logger.debug({ samples: set.count, ms: Math.round(res.durationMs), mae: res.validationMae, baselineMae: res.baselineMae }, 'plugin-ml: trained');
        if (this.closed) return;
        try {
          const version = await this.store.publish(model);
          this.install({ ...model, version }, true);
        } catch (err) {
          // The store is down: keep learning locally; the next sync brings the fleet's model back.
          this.noteError(err, 'using the new model locally only');
          this.install({ ...model, version: this.version + 1 }, false);
        }
      })
      .catch((err: unknown) => {
        if (isMlError(err, 'WEFT_ML_CLOSED')) return;
        this.stats.trainingFailures++;
        this.noteError(err, 'training failed; the current model stays in use');
      })
      .finally(() => {
        this.training = undefined;
      });
    return this.training;
  }

  /** The swap: one assignment, only ever to a newer version. */
  private install(snapshot: ModelSnapshot, shared: boolean): void {
    // A shared model replaces a local-only one whatever its number: the fleet's model wins.
    const replacesLocal = shared && this.active?.shared === false;
    if (this.active && snapshot.version <= this.active.snapshot.version && !replacesLocal) return;
    const network = new CompiledNetwork(snapshot.network);
    this.active = { snapshot, network, shared, label: `v${snapshot.version}${shared ? '' : '+local'}`, correctionWeight: correctionWeight(snapshot) };
    this.logger.info({ version: snapshot.version, shared, samples: snapshot.samples }, 'plugin-ml: model swapped in');
  }

  private fallback(reason: FallbackReason, scores: CandidateScore[], confidence: number, label = this.modelVersion): Prediction {
    this.stats.fallbacks[reason] = (this.stats.fallbacks[reason] ?? 0) + 1;
    return { confidence, scores, modelVersion: label, fallbackReason: reason };
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    // Housekeeping timers never keep a process alive.
    t.unref();
    this.timers.push(t);
  }

  private noteError(err: unknown, consequence: string): void {
    const code: string = err instanceof MlError ? (err.code as string) : 'UNKNOWN';
    this.stats.lastError = { code, message: errorMessage(err) };
    this.logger.warn({ code, err: errorMessage(err), store: this.store.kind }, `plugin-ml: ${consequence}`);
  }
}
