/**
 * The predictor's model over its life: loaded from the store, retrained in a worker thread on
 * the outcomes learned, published, and swapped in with one assignment (only ever to a newer
 * version); a store that fails leaves the current model in use.
 */
import type { Logger } from '@weft/engine';
import type { MlConfig } from '../config.js';
import { MlError, errorMessage, isMlError } from '../errors.js';
import { FEATURE_COUNT, FEATURE_VERSION } from '../features/feature-spec.js';
import { CompiledNetwork } from '../model/compiled-network.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelSnapshot } from '../model/model-format.js';
import type { ModelStore, UnversionedModel } from '../store/model-store.js';
import { OutcomeBuffer } from '../training/outcome-buffer.js';
import { Trainer } from '../training/trainer.js';
import { correctionWeight } from './confidence.js';
import type { ActiveModel, MlPredictorStats } from './predictor-stats.js';

export class ModelKeeper {
  private readonly trainer: Trainer;
  private readonly buffer: OutcomeBuffer;
  private current: ActiveModel | undefined;
  private sinceTraining = 0;
  private training: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private swapHold: { promise: Promise<void>; release: () => void } | undefined;
  private refusedVersion: number | undefined;

  constructor(
    private readonly config: MlConfig,
    private readonly store: ModelStore,
    private readonly logger: Logger,
    private readonly stats: MlPredictorStats,
  ) {
    this.buffer = new OutcomeBuffer(config.bufferSize);
    const c = config;
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

  /** The model in use, undefined while cold. */
  get active(): ActiveModel | undefined {
    return this.current;
  }

  /** The model's numeric version, 0 while cold. */
  get version(): number {
    return this.current?.snapshot.version ?? 0;
  }

  get isTraining(): boolean {
    return this.training !== undefined;
  }

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

  /** One training sample; trains once `trainEvery` samples have come in since the last training. */
  learn(row: Float32Array, durationTarget: number, success: number): void {
    this.buffer.add(row, durationTarget, success);
    this.sinceTraining++;
  }

  trainIfDue(): void {
    if (this.sinceTraining >= this.config.trainEvery) void this.maybeTrain(false);
  }

  async trainNow(): Promise<number> {
    if (this.training) await this.training;
    await this.maybeTrain(true);
    return this.version;
  }

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

  async whenIdle(): Promise<void> {
    while (this.training) await this.training;
  }

  /** Loads a newer model from the store, if there is one. Never throws; errors are logged. */
  async sync(): Promise<void> {
    try {
      const latest = await this.store.latestVersion();
      const localOnly = this.current?.shared === false;
      if (latest === undefined || (latest <= this.version && !localOnly) || latest === this.refusedVersion) return;
      const model = await this.store.load();
      if (model) this.install(model, true);
    } catch (err) {
      if (isMlError(err, 'WEFT_ML_MODEL_CORRUPT') || isMlError(err, 'WEFT_ML_MODEL_INCOMPATIBLE')) {
        // Remember the refused version so a bad model is logged once, not every sync.
        this.refusedVersion = await this.store.latestVersion().catch(() => undefined);
      }
      this.noteError(err, this.current ? 'kept the current model' : 'staying cold; the balancing strategy decides');
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

  private maybeTrain(force: boolean): Promise<void> {
    if (this.closed || this.training) return this.training ?? Promise.resolve();
    if (this.buffer.size < this.config.minSamples) return Promise.resolve();
    if (!force && this.sinceTraining < this.config.trainEvery) return Promise.resolve();
    if (force && this.sinceTraining === 0 && this.current) return Promise.resolve();
    this.sinceTraining = 0;
    const set = this.buffer.snapshot();
    const warm = this.current?.snapshot.network;
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
    const replacesLocal = shared && this.current?.shared === false;
    if (this.current && snapshot.version <= this.current.snapshot.version && !replacesLocal) return;
    const network = new CompiledNetwork(snapshot.network);
    this.current = { snapshot, network, shared, label: `v${snapshot.version}${shared ? '' : '+local'}`, correctionWeight: correctionWeight(snapshot) };
    this.logger.info({ version: snapshot.version, shared, samples: snapshot.samples }, 'plugin-ml: model swapped in');
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
