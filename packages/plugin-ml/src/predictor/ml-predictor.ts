/**
 * The predictor: scores every candidate in one batched pass of the current network, gates the
 * pick on confidence, explores a seeded share of decisions, learns from outcomes into a bounded
 * buffer and trains in a worker thread, swapping the new model in with one assignment.
 */
import { seededRandom, silentLogger, type CandidateScore, type Logger, type Prediction, type Predictor, type TaskDescriptor, type TaskOutcome, type WorkerView } from '@weft/engine';
import { resolveConfig, type MlConfig, type MlConfigInput } from '../config.js';
import { MlError, errorMessage, isMlError } from '../errors.js';
import { decodeDurationRatio, encodeBatch, encodeDurationRatio } from '../features/encode.js';
import { FEATURE_COUNT, FEATURE_VERSION, TASK_FEATURE_COUNT } from '../features/feature-spec.js';
import { PairStats } from '../features/pair-stats.js';
import { CompiledNetwork } from '../model/compiled-network.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, OUTPUT_COUNT, type ModelSnapshot } from '../model/model-format.js';
import { MemoryModelStore } from '../store/memory-store.js';
import type { ModelStore, UnversionedModel } from '../store/model-store.js';
import { OutcomeBuffer } from '../training/outcome-buffer.js';
import { Trainer } from '../training/trainer.js';
import { confidenceOf, correctionWeight } from './confidence.js';
import { PendingFeatures } from './pending-features.js';
import { ChoiceCosts, choose } from './choose.js';
import { SPECIALTY_MARGIN, Specialties } from './specialties.js';

/** Outcomes between two rebuilds of the specialties table. */
const SPECIALTY_REFRESH = 100;
/** Probes awaiting their outcome beyond which the set is cleared (lost tasks never answer). */
const MAX_PENDING_PROBES = 4096;
/** How sharply a specialist's premium grows with its occupancy: an idle one pays little. */
const OCCUPANCY_POWER = 1.5;

export interface MlPredictorDeps {
  readonly logger?: Logger;
  /** Default: in memory. */
  readonly store?: ModelStore;
}

/** The model in use: the snapshot and its compiled network, swapped as one object. */
interface ActiveModel {
  readonly snapshot: ModelSnapshot;
  readonly network: CompiledNetwork;
  /** False when the store refused the publish and this model lives only here. */
  readonly shared: boolean;
  readonly label: string;
  /** How much of the network's duration correction is applied: its held-out skill, 0..1. */
  readonly correctionWeight: number;
}

export interface MlPredictorStats {
  decisions: number;
  predicted: number;
  explored: number;
  /** Explored decisions made while unsure: probes of untried workers and confirmations of a barely seen pick. */
  probes: number;
  fallbacks: Record<string, number>;
  outcomes: number;
  trainings: number;
  trainingFailures: number;
  /** Last error from the store or the trainer, for `weft status` and tests. */
  lastError?: { code: string; message: string };
}

/** Why a decision fell back, as written to `weft.decision.reason`. */
export type FallbackReason = 'cold' | 'stale' | 'low-confidence' | 'closed';

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
  private readonly costs = new ChoiceCosts();
  /** Workers probed and not yet answered, by task type: one probe in flight per (worker, type). */
  private readonly probing = new Map<string, Set<string>>();
  private probesInFlight = 0;
  /** The worker each probing decision named, until the dispatcher says where the task went. */
  private readonly probeOf = new Map<string, string>();
  private sinceSpecialties = 0;
  private readonly random: () => number;
  private active: ActiveModel | undefined;
  private sinceTraining = 0;
  private training: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private refusedVersion: number | undefined;
  readonly stats: MlPredictorStats = { decisions: 0, predicted: 0, explored: 0, probes: 0, fallbacks: {}, outcomes: 0, trainings: 0, trainingFailures: 0 };

  constructor(options: MlConfigInput | MlConfig = {}, deps: MlPredictorDeps = {}) {
    this.config = resolveConfig(options);
    this.logger = deps.logger ?? silentLogger();
    this.store = deps.store ?? new MemoryModelStore();
    this.buffer = new OutcomeBuffer(this.config.bufferSize);
    this.pairs = new PairStats({ alpha: this.config.pairAlpha });
    this.random = seededRandom(this.config.seed);
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
    const lease = this.pending.lease(candidates.length);
    const batch = encodeBatch(task, candidates, this.pairs, lease.arrays);
    // The ids go into the slot's reused array: a copy per decision was an allocation per decision.
    const workerIds = lease.workerIds;
    for (let i = 0; i < batch.count; i++) workerIds[i] = candidates[i]!.id;
    const key = PendingFeatures.key(task.id, task.attempt);
    this.pending.set(key, { workerIds, count: batch.count, rows: batch.rows, baselines: batch.baselines, waits: batch.waits, lease });
    // One read of `active`: the whole decision uses one model even if a swap happens meanwhile.
    const active = this.active;
    if (!active) return this.fallback('cold', [], 0);
    const out = active.network.runBatch(batch.rows, batch.count, TASK_FEATURE_COUNT);
    const weight = active.correctionWeight;
    const waitWeight = this.config.waitWeight;
    const reserveWeight = this.config.reserveWeight;
    const costs = this.costs.ensure(batch.count);
    // Fresh objects every decision: the caller keeps the scores (traces, decision records).
    const scores = new Array<CandidateScore>(batch.count);
    for (let i = 0; i < batch.count; i++) {
      // The network corrects the analytic estimate (service + expected wait) only as far as it
      // beat that estimate on held-out outcomes.
      const correction = weight === 0 ? 1 : decodeDurationRatio(0.5 + weight * (out[i * OUTPUT_COUNT]! - 0.5), 1);
      const baseline = batch.baselines[i]!;
      const wait = batch.waits[i]!;
      const expectedDurationMs = (baseline + wait) * correction;
      const successProbability = out[i * OUTPUT_COUNT + 1]!;
      // Optimistic by one standard error: a worker seen a few times gets the benefit of the doubt
      // over one measured closely, so a close race is settled by samples, not by the first one.
      const service = baseline * Math.max(0.5, 1 - batch.errors[i]!) * correction;
      // Work placed on a busy specialist of other types delays those types' next tasks: it is
      // charged a premium of up to 10% (SPECIALTY_MARGIN - 1), enough to send it to an equally
      // fast worker, never to a slower one.
      const premium = reserveWeight > 0 ? this.specialties.premium(workerIds[i]!, task.type) : 0;
      const reserve = premium > 0 ? Math.min(SPECIALTY_MARGIN - 1, reserveWeight * premium * occupancy(candidates[i]!)) : 0;
      // Expected duration per success: fast and reliable beats fast and flaky.
      const perSuccess = (1 + reserve) / Math.max(successProbability, 0.01);
      costs.service[i] = service;
      costs.full[i] = (service + wait) * perSuccess;
      costs.discounted[i] = (service + waitWeight * wait) * perSuccess;
      scores[i] = { workerId: workerIds[i]!, score: 1000 / Math.max(costs.full[i]!, 1e-3), expectedDurationMs, successProbability };
    }
    const best = choose(costs, batch.count);
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
      const choice = this.optimistic(candidates, batch.baselines, batch.observations, best);
      return { confidence, scores, modelVersion: active.label, choice, explored: true };
    }
    if (this.config.staleAfterMs > 0 && Date.now() - active.snapshot.trainedAt > this.config.staleAfterMs) return this.fallback('stale', scores, confidence, active.label);
    if (confidence < this.config.confidenceThreshold) {
      const probe = this.config.probeWhenUnsure ? this.probe(task.type, key, candidates, workerIds, batch.observations, best) : -1;
      if (probe < 0) return this.fallback('low-confidence', scores, confidence, active.label);
      this.stats.explored++;
      this.stats.probes++;
      return { confidence, scores, modelVersion: active.label, choice: candidates[probe]!.id, explored: true };
    }
    this.stats.predicted++;
    return { confidence, scores, modelVersion: active.label, choice: candidates[best]!.id, explored: false };
  }

  /** Tells the predictor which worker a decision went to (the `route:after` hook calls this). */
  routed(task: TaskDescriptor, workerId: string): void {
    const key = PendingFeatures.key(task.id, task.attempt);
    this.pending.keepOnly(key, workerId);
    // A probe the dispatcher did not follow (a guard refused the worker) is not in flight.
    const probed = this.probeOf.get(key);
    if (probed === undefined) return;
    this.probeOf.delete(key);
    if (probed !== workerId) this.endProbe(task.type, probed);
  }

  /** Learns from a finished attempt (the `task:after` and `task:error` hooks call this). */
  observe(outcome: TaskOutcome): void {
    if (this.closed || outcome.shortCircuited) return;
    this.stats.outcomes++;
    const chosen = this.pending.take(PendingFeatures.key(outcome.task.id, outcome.task.attempt), outcome.workerId);
    // A failure's duration is no evidence that the worker is fast: never train it below baseline.
    if (chosen) {
      const estimate = chosen.baseline + chosen.expectedWaitMs;
      const duration = outcome.ok ? outcome.durationMs : Math.max(outcome.durationMs, estimate);
      this.buffer.add(chosen.row, encodeDurationRatio(duration, estimate), outcome.ok ? 1 : 0);
      this.sinceTraining++;
    }
    // The service sample is the duration less the wait expected at dispatch; a quarter of the
    // duration at least, so an overestimated wait cannot claim the task took no time.
    const service = chosen ? Math.max(outcome.durationMs - chosen.expectedWaitMs, outcome.durationMs / 4) : undefined;
    this.pairs.record(outcome.workerId, outcome.task.type, outcome.ok, outcome.durationMs, service);
    this.endProbe(outcome.task.type, outcome.workerId);
    if (++this.sinceSpecialties >= SPECIALTY_REFRESH) {
      this.sinceSpecialties = 0;
      this.specialties.recompute(this.pairs.everyType());
    }
    if (this.sinceTraining >= this.config.trainEvery) void this.maybeTrain(false);
  }

  /** Trains now on the buffer (if it holds `minSamples`) and resolves once the model is swapped in. */
  async trainNow(): Promise<number> {
    if (this.training) await this.training;
    await this.maybeTrain(true);
    return this.version;
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

  /**
   * While unsure, a probe gathers the evidence that is missing instead of leaving the decision to
   * the strategy, which knows only workers' overall speeds:
   * - a candidate that has never served this type and has a free slot is tried once (seeded,
   *   uniformly among such candidates): an untried worker may be the fastest. One probe per
   *   (worker, type) is in flight at a time, so a burst of tasks does not all go to an unknown
   *   worker;
   * - else the best-looking candidate, while it has fewer than `minPairObservations` outcomes of
   *   this type and a free slot: a pick that looks best on one or two samples is confirmed or
   *   refuted by its next ones.
   * Only a worker with a free slot: its sample is then its service time, not a guess at its
   * queue, and one slow first sample would keep a fast worker out for long. -1: nothing to probe.
   */
  private probe(type: string, key: string, candidates: readonly WorkerView[], workerIds: readonly string[], observations: Uint32Array, best: number): number {
    const inFlight = this.probing.get(type);
    let pick = -1;
    let eligible = 0;
    for (let i = 0; i < candidates.length; i++) {
      if (observations[i]! > 0 || inFlight?.has(workerIds[i]!) || !hasFreeSlot(candidates[i]!)) continue;
      if (this.random() * ++eligible < 1) pick = i;
    }
    if (pick < 0) {
      const seen = observations[best]!;
      return seen > 0 && seen < this.config.minPairObservations && hasFreeSlot(candidates[best]!) ? best : -1;
    }
    // Outcomes that never come (a lost task) must not pin pairs as probed forever.
    if (this.probesInFlight >= MAX_PENDING_PROBES || this.probeOf.size >= MAX_PENDING_PROBES) {
      this.probing.clear();
      this.probeOf.clear();
      this.probesInFlight = 0;
    }
    let set = this.probing.get(type);
    if (!set) this.probing.set(type, (set = new Set()));
    set.add(workerIds[pick]!);
    this.probeOf.set(key, workerIds[pick]!);
    this.probesInFlight++;
    return pick;
  }

  private endProbe(type: string, workerId: string): void {
    if (this.probing.get(type)?.delete(workerId)) this.probesInFlight--;
  }

  /**
   * The exploration pick: the candidate (other than the greedy one) that could most plausibly be
   * fastest, its baseline shrunk by how little it has been seen (×(1 - 1/√(1+n)); never seen → 0).
   */
  private optimistic(candidates: readonly WorkerView[], baselines: Float64Array, observations: Uint32Array, greedy: number): string {
    let bestIndex = -1;
    let bestValue = Infinity;
    for (let i = 0; i < candidates.length; i++) {
      if (i === greedy && candidates.length > 1) continue;
      const n = observations[i]!;
      // A small seeded jitter breaks ties among equally unknown workers.
      const value = baselines[i]! * (1 - 1 / Math.sqrt(1 + n)) + this.random() * 1e-6;
      if (value < bestValue) {
        bestValue = value;
        bestIndex = i;
      }
    }
    return candidates[bestIndex]!.id;
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

function hasFreeSlot(w: WorkerView): boolean {
  return w.stats.inFlight < w.concurrency;
}

/** Share of the worker's slots taken once this task is added, capped at 1, to OCCUPANCY_POWER. */
function occupancy(w: WorkerView): number {
  return Math.min(1, (w.stats.inFlight + 1) / Math.max(1, w.concurrency)) ** OCCUPANCY_POWER;
}
